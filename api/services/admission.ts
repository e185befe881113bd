import type { Caller } from '../auth.js';
import { ErrorCode, gatewayError } from '../errors.js';

export interface AdmissionLimits {
  /** Describe requests in flight per authenticated caller. 0 = no limit. */
  keyMaxConcurrent: number;
  /** Token bucket refill per minute, per authenticated caller. 0 = no limit. */
  keyRatePerMinute: number;
  /** Token bucket size. */
  keyBurst: number;
  /** Describe requests in flight on the whole server. 0 = no limit. */
  maxConcurrent: number;
  /** Clock, for tests. @default performance.now */
  now?: () => number;
}

/** Proof of admission; release it when the request ends (extra calls do nothing). */
export interface Lease {
  release(): void;
  /** What to do if the server must end this request early (shutdown after the grace period). */
  onCancel(cancel: () => Promise<unknown>): void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  inFlight: number;
}

/**
 * Decides, before anything is billed, whether a describe request may start:
 * per-key concurrency and rate (token bucket), a server-wide cap, and a
 * closed gate during shutdown. Counting happens here, in the subscribe and
 * mutation path, so a refused request costs nothing upstream.
 */
export class Admission {
  private readonly buckets = new Map<string, Bucket>();
  private inFlight = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly cancellers = new Set<() => Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly limits: AdmissionLimits) {
    this.now = limits.now ?? (() => performance.now());
  }

  get active(): number {
    return this.inFlight;
  }

  admit(caller: Caller): Lease {
    if (this.closed) {
      throw gatewayError(ErrorCode.SHUTTING_DOWN, 'The server is shutting down; retry on another instance in a moment.');
    }
    if (this.limits.maxConcurrent > 0 && this.inFlight >= this.limits.maxConcurrent) {
      throw gatewayError(ErrorCode.RATE_LIMITED, 'The server is at its limit of concurrent descriptions; try again shortly.', {
        limit: 'server-concurrency',
      });
    }
    const bucket = caller.authenticated ? this.bucketFor(caller.id) : undefined;
    if (bucket) {
      if (this.limits.keyMaxConcurrent > 0 && bucket.inFlight >= this.limits.keyMaxConcurrent) {
        throw gatewayError(
          ErrorCode.RATE_LIMITED,
          `This API key already has ${bucket.inFlight} descriptions in flight (limit ${this.limits.keyMaxConcurrent}); wait for one to finish.`,
          { limit: 'key-concurrency' },
        );
      }
      if (this.limits.keyRatePerMinute > 0) {
        this.refill(bucket);
        if (bucket.tokens < 1) {
          const waitSeconds = Math.ceil(((1 - bucket.tokens) * 60) / this.limits.keyRatePerMinute);
          throw gatewayError(
            ErrorCode.RATE_LIMITED,
            `This API key is over its rate of ${this.limits.keyRatePerMinute} descriptions a minute; retry in ${waitSeconds} s.`,
            { limit: 'key-rate', retryAfterSeconds: waitSeconds },
          );
        }
        bucket.tokens -= 1;
      }
      bucket.inFlight += 1;
    }
    this.inFlight += 1;
    let released = false;
    let cancel: (() => Promise<unknown>) | undefined;
    return {
      onCancel: (fn) => {
        cancel = fn;
        this.cancellers.add(fn);
      },
      release: () => {
        if (released) return;
        released = true;
        if (cancel) this.cancellers.delete(cancel);
        this.inFlight -= 1;
        if (bucket) bucket.inFlight -= 1;
        if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      },
    };
  }

  /** Refuses new requests from now on (shutdown). */
  close(): void {
    this.closed = true;
  }

  /** Ends every request still in flight (their upstream calls are aborted); resolves when they have ended. */
  async cancelAll(): Promise<void> {
    await Promise.allSettled([...this.cancellers].map((cancel) => cancel()));
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private bucketFor(id: string): Bucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { tokens: this.limits.keyBurst, updatedAt: this.now(), inFlight: 0 };
      this.buckets.set(id, bucket);
    }
    return bucket;
  }

  private refill(bucket: Bucket) {
    const now = this.now();
    const perMs = this.limits.keyRatePerMinute / 60_000;
    bucket.tokens = Math.min(this.limits.keyBurst, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
  }
}
