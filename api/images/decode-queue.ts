import { ErrorCode, gatewayError } from '../errors.js';

export interface DecodeQueueOptions {
  /** Decodes running at once, whatever their size. @default 2 (`IMAGE_DECODE_CONCURRENCY`) */
  concurrency: number;
  /**
   * Pixels being decoded at once, all decodes together. An image larger than
   * the whole budget still runs, alone. @default 64 MP (`IMAGE_DECODE_BUDGET_PIXELS`)
   */
  budgetPixels: number;
  /** Longest wait for a turn before the request fails with SERVER_BUSY; 0 = no limit. @default 20 s (`IMAGE_QUEUE_TIMEOUT_MS`) */
  timeoutMs: number;
}

export const DEFAULT_DECODE_QUEUE: DecodeQueueOptions = { concurrency: 2, budgetPixels: 64_000_000, timeoutMs: 20_000 };

interface Waiter {
  cost: number;
  start: () => void;
}

/**
 * The one gate every image decode passes: at most `concurrency` decodes and
 * `budgetPixels` pixels in flight, first come first served, so memory is
 * bounded by the settings instead of by how many images arrive at once
 * (issue 9, defect 2: 20 8000×8000 JPEGs in one request took 3.3 GB).
 * A waiter that times out or whose request is aborted leaves the queue
 * without ever holding budget; a running decode returns its budget when it
 * ends, however it ends.
 */
export class DecodeQueue {
  private running = 0;
  private pixels = 0;
  private readonly waiters: Waiter[] = [];
  readonly options: DecodeQueueOptions;

  constructor(options: Partial<DecodeQueueOptions> = {}) {
    this.options = { ...DEFAULT_DECODE_QUEUE, ...options };
    if (this.options.concurrency < 1) throw new Error('the decode queue needs a concurrency of at least 1');
    if (this.options.budgetPixels < 1) throw new Error('the decode queue needs a pixel budget of at least 1');
  }

  /** Decodes running now, pixels they hold, and entries waiting: for tests and metrics. */
  get stats(): { running: number; pixels: number; waiting: number } {
    return { running: this.running, pixels: this.pixels, waiting: this.waiters.length };
  }

  /**
   * Runs `work` when there is room for `pixels` more pixels. Rejects with
   * SERVER_BUSY when the wait exceeds the timeout, with CANCELLED when
   * `signal` aborts first; `work` then never runs.
   */
  async run<T>(pixels: number, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    // An unknown size counts as the whole budget: never a NaN that would corrupt the count.
    const cost = Number.isFinite(pixels) ? Math.min(Math.max(1, pixels), this.options.budgetPixels) : this.options.budgetPixels;
    await this.acquire(cost, signal);
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.pixels -= cost;
      this.drain();
    }
  }

  private fits(cost: number): boolean {
    return this.running < this.options.concurrency && this.pixels + cost <= this.options.budgetPixels;
  }

  private take(cost: number) {
    this.running += 1;
    this.pixels += cost;
  }

  private acquire(cost: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    // First come, first served: a big image at the head is not overtaken by small ones forever.
    if (this.waiters.length === 0 && this.fits(cost)) {
      this.take(cost);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = (error: unknown) => {
        const index = this.waiters.indexOf(waiter);
        if (index === -1) return; // already started
        this.waiters.splice(index, 1);
        cleanup();
        reject(error);
        // The head leaving can make room for those behind it.
        this.drain();
      };
      const onAbort = () => leave(cancelled());
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        cost,
        start: () => {
          cleanup();
          this.take(cost);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.options.timeoutMs > 0) {
        timer = setTimeout(() => leave(busy(this.options.timeoutMs)), this.options.timeoutMs);
      }
    });
  }

  private drain() {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.cost)) {
      this.waiters.shift()!.start();
    }
  }
}

function busy(timeoutMs: number) {
  return gatewayError(
    ErrorCode.SERVER_BUSY,
    `The server is busy preparing other images and this one waited ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} for its turn. ` +
      'Retry in a moment, or send fewer or smaller images at once.',
    { retryable: true },
  );
}

function cancelled() {
  return gatewayError(ErrorCode.CANCELLED, 'The request was cancelled while its images waited to be prepared.');
}
