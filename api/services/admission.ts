import type { Caller } from '../auth.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { ConcurrencySlot, ConcurrencyLimiter } from '../stores/concurrency-limiter.js';
import type { RateLimiter } from '../stores/rate-limiter.js';

export interface AdmissionOptions {
  /** Describe requests in flight on this server (replica). 0 = no limit. */
  maxConcurrent: number;
  /** Per-key request rate (memory, or Redis shared by replicas). */
  rate: RateLimiter;
  /** Per-key requests in flight (memory, or Redis leases shared by replicas). */
  concurrency: ConcurrencyLimiter;
}

/** Proof of admission; release it when the request ends (extra calls do nothing). */
export interface Lease {
  release(): void;
  /** What to do if the server must end this request early (shutdown after the grace period). */
  onCancel(cancel: () => Promise<unknown>): void;
}

/**
 * Decides, before anything is billed, whether a describe request may start:
 * a closed gate during shutdown, this server's cap, then the caller's key:
 * concurrency and rate. A refused request, or one the store could not check
 * (STORE_UNAVAILABLE), costs nothing upstream.
 */
export class Admission {
  private inFlight = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly cancellers = new Set<() => Promise<unknown>>();

  constructor(private readonly options: AdmissionOptions) {}

  /** Requests admitted (or being admitted) on this server now. */
  get active(): number {
    return this.inFlight;
  }

  /**
   * `countRate: false` admits work that takes a slot but no rate point (an
   * estimate: free upstream, but it decodes images, so a key's estimates are
   * bounded by its concurrency like its descriptions).
   */
  async admit(caller: Caller, { countRate = true }: { countRate?: boolean } = {}): Promise<Lease> {
    this.checkOpen();
    if (this.options.maxConcurrent > 0 && this.inFlight >= this.options.maxConcurrent) {
      throw gatewayError(ErrorCode.RATE_LIMITED, 'The server is at its limit of concurrent descriptions; try again shortly.', {
        limit: 'server-concurrency',
      });
    }
    // Held from here, so concurrent admissions cannot pass the server cap together.
    this.inFlight += 1;
    let slot: ConcurrencySlot | undefined;
    try {
      if (caller.authenticated) {
        slot = await this.options.concurrency.acquire(caller.id);
        if (countRate) await this.options.rate.consume(caller.id);
      }
      this.checkOpen();
    } catch (error) {
      void slot?.release().catch(() => {});
      this.ended();
      throw error;
    }
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
        // The slot's own release is exactly-once too; a store failure here is
        // logged by the store, and a Redis lease then runs out by itself.
        void slot?.release().catch(() => {});
        this.ended();
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

  private checkOpen() {
    if (this.closed) {
      throw gatewayError(ErrorCode.SHUTTING_DOWN, 'The server is shutting down; retry on another instance in a moment.');
    }
  }

  private ended() {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
