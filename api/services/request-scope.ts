import type { Caller } from '../auth.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { Lease } from './admission.js';

/**
 * One admitted request's life: its admission slot, and a signal that fires
 * when the client goes away (reason: `CANCELLED`) or the server ends the
 * request at shutdown (reason: `SHUTTING_DOWN`). Whatever the request is doing
 * then (preparing images, waiting on Bedrock, streaming) stops, and the slot is
 * freed the moment `release()` runs, never later than the request's end.
 */
export interface RequestScope {
  readonly signal: AbortSignal;
  /** Rejects with the signal's reason as soon as it fires, without waiting for `work`. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Frees the slot; extra calls do nothing. */
  release(): void;
}

export function cancelledError(): Error {
  return gatewayError(ErrorCode.CANCELLED, 'The client went away before the request finished.');
}

export function shuttingDownError(): Error {
  return gatewayError(ErrorCode.SHUTTING_DOWN, 'The server is shutting down and ended this request; retry on another instance.');
}

/** What is needed of the admission gate; `admit` may be asynchronous (a shared limiter). */
type Gate = { admit(caller: Caller, options?: { countRate?: boolean }): Lease | Promise<Lease> };

/**
 * Admits a request for `caller` (throws `RATE_LIMITED`/`SHUTTING_DOWN` like
 * `Admission.admit`), tied to `clientSignal`: the request's, or the
 * graphql-ws operation's. A client already gone is not admitted at all.
 */
export async function admitRequest(
  admission: Gate,
  caller: Caller,
  clientSignal: AbortSignal,
  options?: { countRate?: boolean },
): Promise<RequestScope> {
  if (clientSignal.aborted) throw cancelledError();
  const lease = await admission.admit(caller, options);
  if (clientSignal.aborted) {
    // Left while a shared limiter was asked.
    lease.release();
    throw cancelledError();
  }
  const controller = new AbortController();
  let released = false;
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const onClientGone = () => controller.abort(cancelledError());
  clientSignal.addEventListener('abort', onClientGone, { once: true });
  // At shutdown (after the grace period) the server waits for this to resolve,
  // so the client's answer (`complete`, or SHUTTING_DOWN for a mutation) is sent first.
  lease.onCancel(() => {
    controller.abort(shuttingDownError());
    return ended;
  });
  const signal = controller.signal;
  return {
    signal,
    race<T>(work: Promise<T>): Promise<T> {
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
    release() {
      if (released) return;
      released = true;
      clientSignal.removeEventListener('abort', onClientGone);
      lease.release();
      markEnded();
    },
  };
}
