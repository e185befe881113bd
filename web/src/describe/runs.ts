import type { PreparedImage } from '../capture/prepare-image';
import type { GatewayFailure } from './gateway-errors';
import type { DescriptionChunk, DescriptionEvent, Upload } from './run-description';

export type RunStatus = 'preparing' | 'uploading' | 'streaming' | 'done' | 'stopped' | 'failed';

/** One capture and its description: the unit of this session's history. */
export interface Run {
  id: string;
  startedAt: number;
  prompt: string;
  promptLabel: string;
  modelId?: string;
  modelName: string;
  status: RunStatus;
  image?: PreparedImage;
  upload?: Upload;
  /** Bytes this run put on the wire for the image (0 when an earlier upload was reused). */
  bytesSent: number;
  text: string;
  chunks: number;
  /** The final chunk: stop reason, usage and timings. */
  result?: DescriptionChunk;
  failure?: GatewayFailure;
}

export type RunAction =
  | { type: 'started'; run: Run }
  | { type: 'prepared'; id: string; image: PreparedImage }
  | { type: 'event'; id: string; event: DescriptionEvent }
  | { type: 'stopped'; id: string }
  | { type: 'failed'; id: string; failure: GatewayFailure }
  | { type: 'selected'; id: string };

export interface RunsState {
  /** Newest first. */
  runs: Run[];
  selectedId?: string;
}

export const ACTIVE: ReadonlySet<RunStatus> = new Set(['preparing', 'uploading', 'streaming']);

export function isActive(run: Run | undefined): boolean {
  return run !== undefined && ACTIVE.has(run.status);
}

function applyEvent(run: Run, event: DescriptionEvent): Run {
  switch (event.type) {
    case 'uploading':
      return { ...run, status: 'uploading', bytesSent: event.bytes };
    case 'uploaded':
      return { ...run, status: 'streaming', upload: event.upload, bytesSent: event.reused ? 0 : run.bytesSent };
    case 'chunk': {
      const { chunk } = event;
      const text = run.text + chunk.text;
      if (chunk.done) return { ...run, status: 'done', text, chunks: run.chunks + 1, result: chunk };
      return { ...run, status: 'streaming', text, chunks: run.chunks + 1 };
    }
    case 'failed':
      return { ...run, status: 'failed', failure: event.failure };
  }
}

function update(state: RunsState, id: string, change: (run: Run) => Run): RunsState {
  return { ...state, runs: state.runs.map((run) => (run.id === id ? change(run) : run)) };
}

/** Late events for a finished run (a chunk racing a Stop) are dropped. */
export function runsReducer(state: RunsState, action: RunAction): RunsState {
  switch (action.type) {
    case 'started':
      return { runs: [action.run, ...state.runs], selectedId: action.run.id };
    case 'prepared':
      return update(state, action.id, (run) => ({ ...run, image: action.image }));
    case 'event':
      return update(state, action.id, (run) => (isActive(run) ? applyEvent(run, action.event) : run));
    case 'stopped':
      return update(state, action.id, (run) => (isActive(run) ? { ...run, status: 'stopped' } : run));
    case 'failed':
      return update(state, action.id, (run) => (isActive(run) ? { ...run, status: 'failed', failure: action.failure } : run));
    case 'selected':
      return { ...state, selectedId: action.id };
  }
}
