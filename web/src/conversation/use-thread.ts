import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import type { Upload } from '../describe/run-description';
import type { Run } from '../describe/runs';
import { clientFailure, type GatewayFailure } from '../describe/gateway-errors';
import { estimateFollowUp, isFailure, runFollowUp, uploadAgain, type Estimate } from './follow-up';
import { historyFor, type Exchange } from './thread';

interface ThreadState {
  exchanges: Exchange[];
  upload?: Upload;
  /** The upload is gone from the server: questions wait for "Upload again". */
  expired: boolean;
}

/** Threads by run id, so a thread survives selecting another run and coming back. */
const saved = new Map<string, ThreadState>();
let exchangeCount = 0;

export interface Thread extends ThreadState {
  /** The price of `estimateQuestion` (an answer for an older question is not shown as the current one's). */
  estimate?: Estimate;
  estimateFailure?: GatewayFailure;
  estimateQuestion?: string;
  uploadFailure?: GatewayFailure;
  asking: boolean;
  ask(question: string): void;
  stop(): void;
  /** Asks the server for the price of `question` (debounced by the caller). */
  estimateFor(question: string): void;
  reupload(): void;
}

const UPLOAD_NOT_FOUND = 'UPLOAD_NOT_FOUND';

/** The follow-up questions of one finished run: its images stay on the server and are referred to by upload id. */
export function useThread(run: Run): Thread {
  const client = useClient();
  const [state, setState] = useState<ThreadState>(() => saved.get(run.id) ?? { exchanges: [], upload: run.upload, expired: false });
  const [estimate, setEstimate] = useState<{ question: string; value?: Estimate; failure?: GatewayFailure }>();
  const [uploadFailure, setUploadFailure] = useState<GatewayFailure>();
  const active = useRef<(() => void) | undefined>(undefined);

  useEffect(() => {
    saved.set(run.id, state);
  }, [run.id, state]);
  useEffect(() => () => active.current?.(), []);

  const request = useCallback(
    (question: string) => ({
      uploadId: state.upload!.id,
      history: historyFor({ prompt: run.prompt, answer: run.text }, state.exchanges),
      prompt: question,
      modelId: run.modelId,
    }),
    [run.prompt, run.text, run.modelId, state.upload, state.exchanges],
  );

  const change = (id: number, update: (exchange: Exchange) => Exchange) =>
    setState((current) => ({ ...current, exchanges: current.exchanges.map((e) => (e.id === id ? update(e) : e)) }));

  const ask = useCallback(
    (question: string) => {
      if (!state.upload || state.expired || active.current) return;
      const id = ++exchangeCount;
      setState((current) => ({ ...current, exchanges: [...current.exchanges, { id, question, answer: '', status: 'streaming' }] }));
      const stop = runFollowUp(client, request(question), {
        chunk(chunk) {
          change(id, (e) =>
            e.status === 'streaming'
              ? { ...e, answer: e.answer + chunk.text, ...(chunk.done && { status: 'done', usage: chunk.usage }) }
              : e,
          );
          if (chunk.done) active.current = undefined;
        },
        failed(failure) {
          active.current = undefined;
          change(id, (e) => ({ ...e, status: 'failed', failure }));
          if (failure.code === UPLOAD_NOT_FOUND) setState((current) => ({ ...current, expired: true }));
        },
      });
      active.current = () => {
        stop();
        change(id, (e) => (e.status === 'streaming' ? { ...e, status: 'stopped' } : e));
      };
    },
    [client, request, state.upload, state.expired],
  );

  const stop = useCallback(() => {
    active.current?.();
    active.current = undefined;
  }, []);

  const estimateFor = useCallback(
    (question: string) => {
      if (!state.upload || state.expired || !question.trim()) return setEstimate(undefined);
      if (state.upload.expiresAt <= Date.now()) return setState((current) => ({ ...current, expired: true }));
      estimateFollowUp(client, request(question)).then(
        (result) => {
          if (isFailure(result)) {
            setEstimate({ question, failure: result });
            if (result.code === UPLOAD_NOT_FOUND) setState((current) => ({ ...current, expired: true }));
          } else {
            setEstimate({ question, value: result });
          }
        },
        (error: unknown) => setEstimate({ question, failure: clientFailure(error) }),
      );
    },
    [client, request, state.upload, state.expired],
  );

  const reupload = useCallback(() => {
    if (!run.image) return;
    setUploadFailure(undefined);
    uploadAgain(client, run.image.blob).then(
      (result) => {
        if (isFailure(result)) setUploadFailure(result);
        else setState((current) => ({ ...current, upload: result, expired: false }));
      },
      (error: unknown) => setUploadFailure(clientFailure(error)),
    );
  }, [client, run.image]);

  return {
    ...state,
    estimate: estimate?.value,
    estimateFailure: estimate?.failure,
    estimateQuestion: estimate?.question,
    uploadFailure,
    asking: state.exchanges.some((e) => e.status === 'streaming'),
    ask,
    stop,
    estimateFor,
    reupload,
  };
}
