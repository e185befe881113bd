import { statusText } from '../describe/run-summary';
import type { Run } from '../describe/runs';
import { CopyButton } from './copy-button';

export interface HistoryListProps {
  runs: Run[];
  selectedId: string | undefined;
  onSelect(id: string): void;
}

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** This session's captures, newest first; nothing is kept after the page closes. */
export function HistoryList({ runs, selectedId, onSelect }: HistoryListProps) {
  if (runs.length === 0) return <p className="muted">Your captures and their descriptions will be listed here for this session.</p>;
  return (
    <ol className="history" reversed>
      {runs.map((run, index) => (
        <li key={run.id} className={run.id === selectedId ? 'selected' : undefined}>
          <button
            type="button"
            className="history-item"
            aria-current={run.id === selectedId ? 'true' : undefined}
            onClick={() => onSelect(run.id)}
          >
            {run.image ? <img src={run.image.url} alt="" className="thumb" /> : <span className="thumb placeholder" />}
            <span className="history-text">
              <span className="history-title">
                <strong>{run.promptLabel}</strong>
                <span className="muted small">
                  {time.format(run.startedAt)} · {run.status === 'done' ? run.modelName : statusText(run)}
                </span>
              </span>
              <span className="history-snippet">{run.text || run.failure?.message || '…'}</span>
            </span>
          </button>
          <CopyButton
            text={run.status === 'done' || run.status === 'stopped' ? run.text : ''}
            label="Copy"
            context={`description ${runs.length - index}`}
            className="button ghost small"
          />
        </li>
      ))}
    </ol>
  );
}
