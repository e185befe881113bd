import { useId } from 'react';
import { availabilityText, fullPrice, groupByProvider, imageLimits, optionLabel } from './model-facts';
import type { Models, VisionModel } from './use-models';

export { shortModelName } from './model-facts';

export interface ModelPickerProps {
  models: Models;
  modelId: string | undefined;
  onChange(modelId: string): void;
}

const OFFLINE_NOTE =
  'Offline mode: this local inspector measures the picture (size, light, colours) and does not understand it or read your prompt. Configure AWS credentials on the server to use a vision model on Amazon Bedrock.';

/**
 * The server's models in a native select, one optgroup per provider: native so that
 * screen readers and phones (whose own picker sheet shows the whole option) work as usual.
 * The local offline model is labelled as such, since it only measures images.
 */
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
        {groupByProvider(models.models).map((group) => (
          <optgroup key={group.provider} label={group.provider}>
            {group.models.map((model) => (
              <option key={model.id} value={model.id} title={model.name}>
                {optionLabel(model)}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {selected && <ModelNote id={noteId} model={selected} />}
    </div>
  );
}

/** Everything the option has no room for: full name, description, prices, access, lifecycle, image limits. */
function ModelNote({ id, model }: { id: string; model: VisionModel }) {
  if (model.isLocal) {
    return (
      <p id={id} className="notice local">
        {OFFLINE_NOTE}
      </p>
    );
  }
  const unavailable = model.availability === 'UNAVAILABLE';
  return (
    <div id={id} className="hint model-note" data-testid="model-note">
      <p className="model-note-name">{model.name}</p>
      <p>{model.description}</p>
      {fullPrice(model) && <p>{fullPrice(model)}</p>}
      <p className={unavailable ? 'model-note-warning' : undefined}>{availabilityText(model)}</p>
      {model.warnings.map((warning) => (
        <p key={warning} className="model-note-warning">
          {warning}
        </p>
      ))}
      <p>{imageLimits(model)}</p>
    </div>
  );
}
