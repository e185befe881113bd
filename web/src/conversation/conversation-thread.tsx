import { useEffect, useId, useState } from 'react';
import type { Run } from '../describe/runs';
import './conversation.css';
import { formatUsd, usageText } from './thread';
import { useThread } from './use-thread';

/** Pause after typing before the question is priced: one estimate per pause, not per key. */
const ESTIMATE_DEBOUNCE_MS = 400;

/** Follow-up questions under a finished description, each answer streamed into the same thread. */
export function ConversationThread({ run }: { run: Run }) {
  const thread = useThread(run);
  const [question, setQuestion] = useState('');
  const inputId = useId();
  const { estimateFor } = thread;

  useEffect(() => {
    const timer = setTimeout(() => estimateFor(question), ESTIMATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [question, estimateFor]);

  const submit = () => {
    if (!question.trim()) return;
    thread.ask(question.trim());
    setQuestion('');
  };

  return (
    <section className="conversation" aria-label="Follow-up questions">
      {thread.exchanges.map((exchange) => (
        <article key={exchange.id} className="exchange" data-status={exchange.status} data-testid="follow-up">
          <p className="question">{exchange.question}</p>
          <div className="output answer" aria-live="polite" data-testid="follow-up-answer">
            {exchange.answer}
            {exchange.status === 'streaming' && <span className="caret" aria-hidden="true" />}
          </div>
          {exchange.usage && (
            <p className="muted small" data-testid="follow-up-usage">
              {usageText(exchange.usage)}
            </p>
          )}
          {exchange.status === 'stopped' && <p className="muted small">Stopped</p>}
          {exchange.failure && exchange.failure.code !== 'UPLOAD_NOT_FOUND' && (
            <p className="notice error small" role="alert" data-code={exchange.failure.code}>
              {exchange.failure.message}
            </p>
          )}
        </article>
      ))}

      {thread.expired ? (
        <div className="notice error" role="alert" data-code="UPLOAD_NOT_FOUND">
          <p>The image's upload has expired on the server, so it cannot answer more questions about it.</p>
          <p className="small">Upload it again to go on with this conversation; nothing asked so far is lost.</p>
          {thread.uploadFailure && <p className="small">{thread.uploadFailure.message}</p>}
          <button type="button" className="button secondary" onClick={thread.reupload} disabled={!run.image}>
            Upload again
          </button>
        </div>
      ) : (
        <form
          className="follow-up"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <div className="field">
            <label htmlFor={inputId}>Ask a follow-up</label>
            <textarea
              id={inputId}
              rows={2}
              value={question}
              placeholder="What does the sign say?"
              onChange={(event) => setQuestion(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && !event.shiftKey) {
                  event.preventDefault();
                  submit();
                }
              }}
            />
          </div>
          <div className="actions">
            {thread.asking ? (
              <button type="button" className="button danger" onClick={thread.stop}>
                Stop
              </button>
            ) : (
              <button type="submit" className="button" disabled={!question.trim()}>
                Ask
              </button>
            )}
            <EstimateText thread={thread} question={question} />
          </div>
        </form>
      )}
    </section>
  );
}

function EstimateText({ thread, question }: { thread: ReturnType<typeof useThread>; question: string }) {
  if (!question.trim()) return null;
  if (thread.estimateQuestion !== question) return <p className="muted small estimate">Pricing…</p>;
  if (thread.estimateFailure) {
    return (
      <p className="muted small estimate" data-code={thread.estimateFailure.code}>
        {thread.estimateFailure.message}
      </p>
    );
  }
  const estimate = thread.estimate;
  if (!estimate) return <p className="muted small estimate">Pricing…</p>;
  const tokens = `${estimate.exact ? '' : '≈ '}${estimate.inputTokens.toLocaleString('en')} tokens in`;
  const cost =
    estimate.maxCostUsd == null ? 'cost unknown' : `${formatUsd(estimate.minCostUsd)} – ${formatUsd(estimate.maxCostUsd)}`;
  return (
    <p className="muted small estimate" data-testid="follow-up-estimate" title={`Up to ${estimate.maxOutputTokens} tokens out`}>
      {tokens} · {cost}
    </p>
  );
}
