import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({
  text,
  label = 'Copy',
  context,
  className = 'button secondary',
}: {
  text: string;
  label?: string;
  /** Said to screen readers after the label, to tell several Copy buttons apart. */
  context?: string;
  className?: string;
}) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className={className}
      disabled={!text}
      onClick={() =>
        navigator.clipboard
          ?.writeText(text)
          .then(() => setState('copied'), () => setState('failed')) ?? setState('failed')
      }
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" className="icon">
        {state === 'copied' ? <path d="M5 12.5l4.5 4.5L19 7.5" /> : <path d="M9 9h10v11H9zM5 15V4h10" />}
      </svg>
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}</span>
      {context && <span className="visually-hidden"> {context}</span>}
    </button>
  );
}
