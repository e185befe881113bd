import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { once, tooManyInFlight, type ConcurrencyLimiter, type ConcurrencySlot } from './concurrency-limiter.js';
import type { StoreCalls } from './store-metrics.js';

/**
 * One sorted set per key: a member per request in flight, scored by the time
 * its lease runs out (Redis's clock). Acquire drops run-out leases, counts,
 * and adds, in one atomic step across replicas.
 * KEYS: the key's set. ARGV: lease id, limit, lease ms. Returns {1, n} or {0, n}.
 */
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[2]) then return {0, held} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
return {1, held + 1}
`;

/**
 * Pushes the lease of a live request forward, adding it again if it is gone
 * (Redis restarted without its data, or the lease ran out while this process
 * was too busy to renew): the request is still running and must be counted.
 * Only leases of requests still running are renewed, and a release's ZREM is
 * sent after any renewal that named it, on the same connection, so a
 * released lease is not brought back (one that ever were, by a renewal
 * resent after NOSCRIPT, is never renewed again and runs out within a lease time).
 */
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return 1
`;

type LeaseRedis = Redis & {
  acquireLease(set: string, id: string, limit: number, leaseMs: number): Promise<[number, number]>;
  renewLease(set: string, id: string, leaseMs: number): Promise<number>;
};

export interface RedisConcurrencyOptions {
  /** Slots per key; 0 = no limit. */
  limit: number;
  /** How long a lease lasts without renewal: the slots of a replica that dies come back after this. */
  leaseMs: number;
  calls: StoreCalls;
}

/**
 * In-flight requests per key, counted across replicas with leases in Redis.
 * A live request's lease is renewed every third of its length, so it never
 * runs out; a replica that dies stops renewing, and its slots come back
 * within one lease time.
 */
export class RedisConcurrencyLimiter implements ConcurrencyLimiter {
  private readonly redis: LeaseRedis;
  private readonly live = new Map<string, string>(); // lease id -> set key
  private readonly timer: NodeJS.Timeout;

  constructor(redis: Redis, private readonly options: RedisConcurrencyOptions) {
    redis.defineCommand('acquireLease', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    redis.defineCommand('renewLease', { numberOfKeys: 1, lua: RENEW_SCRIPT });
    this.redis = redis as LeaseRedis;
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(options.leaseMs / 3)));
    this.timer.unref();
  }

  async acquire(key: string): Promise<ConcurrencySlot> {
    const { limit, leaseMs, calls } = this.options;
    if (limit <= 0) return once(async () => {});
    const set = `gw:concurrency:{${key}}`;
    const id = randomUUID();
    const [taken, held] = await calls.run('concurrency.acquire', () => this.redis.acquireLease(set, id, limit, leaseMs));
    if (!taken) throw tooManyInFlight(held, limit);
    this.live.set(id, set);
    return once(async () => {
      this.live.delete(id);
      // If Redis is away now, the lease runs out by itself within leaseMs.
      await calls.run('concurrency.release', () => this.redis.zrem(set, id)).catch(() => {});
    });
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async renew() {
    if (this.live.size === 0) return;
    const pipeline = this.redis.pipeline() as unknown as { renewLease(...args: unknown[]): void; exec(): Promise<unknown> };
    for (const [id, set] of this.live) pipeline.renewLease(set, id, this.options.leaseMs);
    await this.options.calls.run('concurrency.renew', () => pipeline.exec()).catch(() => {});
  }
}
