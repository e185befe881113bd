import { ErrorCode, gatewayError } from '../errors.js';

/** A slot taken by one request; give it back when the request ends. */
export interface ConcurrencySlot {
  /** Frees the slot; calls after the first do nothing. */
  release(): Promise<void>;
}

/** Requests in flight per key. */
export interface ConcurrencyLimiter {
  /** Takes a slot for `key`, or throws `RATE_LIMITED` when the key already has `limit` in flight. */
  acquire(key: string): Promise<ConcurrencySlot>;
  /** Stops background work (lease renewal). */
  close(): void;
}

export function tooManyInFlight(inFlight: number, limit: number) {
  return gatewayError(
    ErrorCode.RATE_LIMITED,
    `This API key already has ${inFlight} descriptions in flight (limit ${limit}); wait for one to finish.`,
    { limit: 'key-concurrency' },
  );
}

/** Wraps a release so it runs exactly once. */
export function once(release: () => Promise<void>): ConcurrencySlot {
  let released: Promise<void> | undefined;
  return { release: () => (released ??= release()) };
}
