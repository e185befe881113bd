import { useId } from 'react';
import type { Models } from './use-models';

export interface ModelPickerProps {
  models: Models;
  modelId: string | undefined;
  onChange(modelId: string): void;
}

/**
 * A model's name without its trailing remark in parentheses, for the select:
 * a native select cannot wrap, so a long name would be cut off on a phone.
 * The whole name stays in the option's title and the note under the select.
 */
export function shortModelName(name: string): string {
  return name.replace(/\s*\([^)]*\)\s*$/, '') || name;
}

/** The server's models; the local offline one is labelled as such, since it only measures images. */
export function ModelPicker({ models, modelId, onChange }: ModelPickerProps) {
  const id = useId();
  const noteId = useId();
  const selected = models.models.find((model) => model.id === modelId);
  if (models.failure) {
    return (
      <div className="notice error" role="alert">
        <p>Could not load the models: {models.failure.message}</p>
        <button type="button" className="button secondary small" onClick={models.retry}>
          Retry
        </button>
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        Model {selected?.isLocal && <span className="badge local">Local</span>}
      </label>
      <select
        id={id}
        value={modelId ?? ''}
        disabled={models.fetching && models.models.length === 0}
        aria-describedby={selected ? noteId : undefined}
        onChange={(event) => onChange(event.target.value)}
      >
        {models.models.length === 0 && <option value="">Loading models…</option>}
        {models.models.map((model) => (
          <option key={model.id} value={model.id} title={model.name}>
            {shortModelName(model.name)}
          </option>
        ))}
      </select>
      {selected && (
        <p id={noteId} className={selected.isLocal ? 'notice local' : 'hint'}>
          {selected.isLocal
            ? 'Offline mode: this local inspector measures the picture (size, light, colours) and does not understand it or read your prompt. Configure AWS credentials on the server to use Claude on Amazon Bedrock.'
            : selected.description}
        </p>
      )}
    </div>
  );
}
