import { once, tooManyInFlight, type ConcurrencyLimiter, type ConcurrencySlot } from './concurrency-limiter.js';

/** Counts in flight per key in this process (no REDIS_URL). */
export class MemoryConcurrencyLimiter implements ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();

  /** @param limit slots per key; 0 = no limit */
  constructor(private readonly limit: number) {}

  async acquire(key: string): Promise<ConcurrencySlot> {
    const held = this.inFlight.get(key) ?? 0;
    if (this.limit > 0 && held >= this.limit) throw tooManyInFlight(held, this.limit);
    this.inFlight.set(key, held + 1);
    return once(async () => {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    });
  }

  close(): void {}
}
