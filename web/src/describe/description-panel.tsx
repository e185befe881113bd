import { useRef } from 'react';
import { ConversationThread } from '../conversation/conversation-thread';
import { usageText } from '../conversation/thread';
import { CopyButton } from '../history/copy-button';
import { formatMs } from '../format';
import { imageSummary, statusText, stopReasonText } from './run-summary';
import { isActive, type Run } from './runs';
import { useFollowOutput } from './use-follow-output';

export interface DescriptionPanelProps {
  run: Run | undefined;
  onStop(): void;
  onAskAgain(run: Run): void;
}

/** The streamed description of the selected run, its numbers and its actions. */
export function DescriptionPanel({ run, onStop, onAskAgain }: DescriptionPanelProps) {
  const active = isActive(run);
  const result = run?.status === 'done' ? run.result : undefined;
  const output = useRef<HTMLDivElement>(null);
  useFollowOutput(output, run?.id, run?.text ?? '', run?.status === 'streaming');
  return (
    <div className="description" data-status={run?.status ?? 'empty'}>
      <div className="status-row">
        <p role="status" className={`status-pill ${run?.status ?? 'empty'}`}>
          {active && <span className="spinner" aria-hidden="true" />}
          {run ? statusText(run) : 'Ready'}
        </p>
        {run && <p className="muted small">{run.promptLabel} · {run.modelName}</p>}
      </div>

      {!run && (
        <p className="empty-state">
          Point the camera at something and press <strong>Capture</strong> (or <kbd>Space</kbd>), or choose, drop or paste an
          image. The description appears here as the model writes it.
        </p>
      )}

      {run?.image && (
        <figure className="sent-image">
          <img src={run.image.url} alt="The image being described" width={run.image.width} height={run.image.height} />
          <figcaption className="muted small">{imageSummary(run)}</figcaption>
        </figure>
      )}

      <div ref={output} className="output" aria-live="polite" aria-label="Description" data-testid="description-text">
        {run?.text}
        {run?.status === 'streaming' && <span className="caret" aria-hidden="true" />}
      </div>

      {run?.failure && (
        <div className="notice error" role="alert" data-code={run.failure.code}>
          <p>{run.failure.message}</p>
          {run.failure.detail && <p className="small">{run.failure.detail}</p>}
          <p className="small muted">
            <code>{run.failure.code}</code>
          </p>
        </div>
      )}

      {result && (
        <dl className="stats" aria-label="Details">
          <div>
            <dt>Stop reason</dt>
            <dd title={result.stopReason ?? undefined}>{stopReasonText(result.stopReason)}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {result.usage ? usageText(result.usage) : '—'}
            </dd>
          </div>
          <div>
            <dt>First token</dt>
            <dd>{result.firstTokenMs != null ? formatMs(result.firstTokenMs) : '—'}</dd>
          </div>
          <div>
            <dt>Total</dt>
            <dd>{result.latencyMs != null ? formatMs(result.latencyMs) : '—'}</dd>
          </div>
        </dl>
      )}

      {run && (
        <div className="actions">
          {active ? (
            <button type="button" className="button danger" onClick={onStop}>
              <svg aria-hidden="true" viewBox="0 0 24 24" className="icon">
                <rect x="6" y="6" width="12" height="12" rx="2" />
              </svg>
              Stop
            </button>
          ) : (
            run.image && (
              <button type="button" className="button secondary" onClick={() => onAskAgain(run)}>
                Ask again
              </button>
            )
          )}
          <CopyButton text={active ? '' : run.text} label="Copy description" />
        </div>
      )}

      {run?.status === 'done' && run.upload && <ConversationThread key={run.id} run={run} />}
    </div>
  );
}
