import { useEffect, useRef, useState } from 'react';
import { ApiKeyForm } from './auth/api-key-form';
import { getApiKey, onApiKeyChange, setApiKey } from './auth/api-key';
import { CameraPanel } from './camera/camera-panel';
import { useCamera } from './camera/use-camera';
import { DEFAULT_LONG_EDGE } from './capture/downscale';
import { FileChooser } from './capture/file-chooser';
import { prepareFile, prepareFrame, type PreparedImage } from './capture/prepare-image';
import { useDropAndPaste } from './capture/use-drop-and-paste';
import { DescriptionPanel } from './describe/description-panel';
import { ModelPicker } from './describe/model-picker';
import { PromptPicker } from './describe/prompt-picker';
import { PROMPT_PRESETS, promptLabel } from './describe/prompts';
import { useModels } from './describe/use-models';
import { useRuns, type RunOptions } from './describe/use-runs';
import { HistoryList } from './history/history-list';

const INITIAL_PRESET = PROMPT_PRESETS.find((preset) => preset.id === 'detailed') ?? PROMPT_PRESETS[0]!;

export function App() {
  const camera = useCamera();
  const models = useModels();
  const runs = useRuns();
  const [modelId, setModelId] = useState<string>();
  const [presetId, setPresetId] = useState(INITIAL_PRESET.id);
  const [prompt, setPrompt] = useState(INITIAL_PRESET.prompt);
  const descriptionRef = useRef<HTMLElement>(null);
  const [apiKey, setApiKeyState] = useState(getApiKey);

  useEffect(() => onApiKeyChange(setApiKeyState), []);

  useEffect(() => {
    if (!modelId && models.defaultModelId) setModelId(models.defaultModelId);
  }, [modelId, models.defaultModelId]);

  const model = models.models.find((m) => m.id === modelId);
  const longEdge = model?.recommendedLongEdge ?? DEFAULT_LONG_EDGE;

  const options = (): RunOptions => ({
    prompt,
    promptLabel: promptLabel(presetId, prompt),
    modelId,
    modelName: model?.name ?? modelId ?? 'Default model',
  });

  // On a phone the description sits below the fold: bring its top up as the run starts, so the
  // answer has the screen to grow into (DescriptionPanel then keeps its growing end in view).
  const revealDescription = () => {
    const card = descriptionRef.current;
    if (!card) return;
    const { top, bottom } = card.getBoundingClientRect();
    if (top >= 0 && bottom <= window.innerHeight) return;
    const reduceMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    card.scrollIntoView?.({ block: 'start', behavior: reduceMotion ? 'auto' : 'smooth' });
  };

  const describe = (image: Promise<PreparedImage>) => {
    runs.describe(image, options());
    revealDescription();
  };

  const onImage = (file: File) => describe(prepareFile(file, longEdge));
  const needsKey = models.failure?.code === 'UNAUTHENTICATED' || runs.selected?.failure?.code === 'UNAUTHENTICATED';
  const drop = useDropAndPaste(onImage);

  return (
    <>
      <a className="skip-link" href="#description-title">
        Skip to the description
      </a>
      <header className="top">
        <div className="brand">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <h1>Vision</h1>
        </div>
        {models.models.length > 0 && (
          <span className={`badge ${models.localMode ? 'local' : 'bedrock'}`} title={models.localMode ? 'Descriptions come from the embedded offline inspector' : undefined}>
            {models.localMode ? 'Local mode' : 'Amazon Bedrock'}
          </span>
        )}
      </header>

      {needsKey && (
        <section className="banner card" aria-labelledby="key-title">
          <h2 id="key-title">API key needed</h2>
          <ApiKeyForm
            rejected={Boolean(apiKey)}
            onSave={(key) => {
              setApiKey(key);
              models.retry();
            }}
          />
        </section>
      )}

      <main className="layout">
        <section
          className={`card capture-card${drop.dragging ? ' dragging' : ''}`}
          aria-labelledby="capture-title"
          onDragEnter={drop.onDragEnter}
          onDragOver={drop.onDragOver}
          onDragLeave={drop.onDragLeave}
          onDrop={drop.onDrop}
        >
          <h2 id="capture-title">Capture</h2>
          <CameraPanel
            camera={camera}
            busy={runs.selected?.status === 'preparing'}
            onCapture={(video) => describe(prepareFrame(video, longEdge))}
            alternatives={
              <div className="alternatives">
                <FileChooser onImage={onImage} />
              </div>
            }
          />
          <p className="muted small drop-hint">You can also drop an image here, or paste one anywhere on the page.</p>
          {drop.dragging && (
            <div className="drop-overlay" aria-hidden="true">
              Drop the image to describe it
            </div>
          )}
        </section>

        <section className="card ask-card" aria-labelledby="ask-title">
          <h2 id="ask-title">Ask</h2>
          <PromptPicker
            presetId={presetId}
            prompt={prompt}
            onChange={(id, text) => {
              setPresetId(id);
              setPrompt(text);
            }}
          />
          {!(needsKey && models.failure) && <ModelPicker models={models} modelId={modelId} onChange={setModelId} />}
        </section>

        <section ref={descriptionRef} className="card description-card" aria-labelledby="description-title">
          <h2 id="description-title" tabIndex={-1}>
            Description
          </h2>
          <DescriptionPanel run={runs.selected} onStop={runs.stop} onAskAgain={(run) => runs.askAgain(run, options())} />
        </section>

        <section className="card history-card" aria-labelledby="history-title">
          <h2 id="history-title">This session</h2>
          <HistoryList runs={runs.runs} selectedId={runs.selected?.id} onSelect={runs.select} />
        </section>
      </main>

      <footer className="foot muted small">
        <p>
          Frames are downscaled to {longEdge} px and sent as JPEG only when you capture. Nothing is kept after you close the page.
        </p>
        {apiKey && (
          <button type="button" className="button ghost small" onClick={() => setApiKey(undefined)}>
            Forget the API key
          </button>
        )}
      </footer>
    </>
  );
}
