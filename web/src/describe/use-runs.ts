import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useClient } from 'urql';
import type { PreparedImage } from '../capture/prepare-image';
import { clientFailure } from './gateway-errors';
import { runDescription } from './run-description';
import { runsReducer, type Run } from './runs';

export interface RunOptions {
  prompt: string;
  promptLabel: string;
  modelId?: string;
  modelName: string;
}

export interface Runs {
  runs: Run[];
  selected: Run | undefined;
  /** Starts a run for an image still being prepared; any active run is stopped first. */
  describe(image: Promise<PreparedImage>, options: RunOptions): void;
  /** Describes a past run's image again (reusing its upload while it lasts). */
  askAgain(run: Run, options: RunOptions): void;
  stop(): void;
  select(id: string): void;
}

// Run ids need only be unique within the page. Not crypto.randomUUID(): it exists only in
// secure contexts, and on a plain http:// host the app must still describe files.
// https://developer.mozilla.org/en-US/docs/Web/API/Crypto/randomUUID
let runCount = 0;

/** This session's runs, at most one of them active at a time. */
export function useRuns(): Runs {
  const client = useClient();
  const [state, dispatch] = useReducer(runsReducer, { runs: [] });
  const active = useRef<{ id: string; stop: () => void } | undefined>(undefined);

  const stop = useCallback(() => {
    if (!active.current) return;
    active.current.stop();
    dispatch({ type: 'stopped', id: active.current.id });
    active.current = undefined;
  }, []);

  useEffect(() => () => active.current?.stop(), []);

  const start = useCallback(
    (image: Promise<PreparedImage>, options: RunOptions, upload?: Run['upload']) => {
      stop();
      const id = `run-${++runCount}`;
      const run: Run = { id, startedAt: Date.now(), ...options, status: 'preparing', bytesSent: 0, text: '', chunks: 0 };
      dispatch({ type: 'started', run });
      let cancel: (() => void) | undefined;
      let cancelled = false;
      active.current = {
        id,
        stop: () => {
          cancelled = true;
          cancel?.();
        },
      };
      image.then(
        (prepared) => {
          dispatch({ type: 'prepared', id, image: prepared });
          if (cancelled) return;
          cancel = runDescription(client, { image: prepared.blob, upload, prompt: options.prompt, modelId: options.modelId }, (event) => {
            dispatch({ type: 'event', id, event });
            const ended = event.type === 'failed' || (event.type === 'chunk' && event.chunk.done);
            if (ended && active.current?.id === id) active.current = undefined;
          });
        },
        (error: unknown) => {
          dispatch({ type: 'failed', id, failure: clientFailure(error) });
          if (active.current?.id === id) active.current = undefined;
        },
      );
    },
    [client, stop],
  );

  const describe = useCallback((image: Promise<PreparedImage>, options: RunOptions) => start(image, options), [start]);

  const askAgain = useCallback(
    (run: Run, options: RunOptions) => {
      if (run.image) start(Promise.resolve(run.image), options, run.upload);
    },
    [start],
  );

  const select = useCallback((id: string) => dispatch({ type: 'selected', id }), []);

  const selected = state.runs.find((run) => run.id === state.selectedId) ?? state.runs[0];
  return { runs: state.runs, selected, describe, askAgain, stop, select };
}
