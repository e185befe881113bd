import { useId, useState, type FormEvent } from 'react';

/** Asks for the gateway's API key when the server says one is needed. */
export function ApiKeyForm({ onSave, rejected }: { onSave(key: string): void; rejected: boolean }) {
  const id = useId();
  const hintId = useId();
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim()) onSave(key.trim());
  };
  return (
    <form className="api-key" onSubmit={submit}>
      <div className="field flush">
        <label htmlFor={id}>API key</label>
        <p id={hintId} className="hint">
          {rejected
            ? 'The server did not accept that key. Check it and try again.'
            : 'This server only answers requests that carry one of its API keys. It is kept in this browser until you forget it.'}
        </p>
        <div className="inline-form">
          <input
            id={id}
            type="password"
            // The page can do nothing else until a key is given.
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={key}
            aria-describedby={hintId}
            aria-invalid={rejected || undefined}
            onChange={(event) => setKey(event.target.value)}
          />
          <button type="submit" className="button primary" disabled={!key.trim()}>
            Save key
          </button>
        </div>
      </div>
    </form>
  );
}
