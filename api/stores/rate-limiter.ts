import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ErrorCode, gatewayError } from '../errors.js';
import type { StoreCalls } from './store-metrics.js';

/** Requests per key over time. */
export interface RateLimiter {
  /** Counts one request for `key`; throws `RATE_LIMITED` (with `retryAfterSeconds`) when the key is over its rate. */
  consume(key: string): Promise<void>;
}

export interface RateLimits {
  /** Requests per minute per key, on average. 0 = no limit. */
  ratePerMinute: number;
  /** Requests a key may make at once. */
  burst: number;
}

/**
 * rate-limiter-flexible counts points in fixed windows, with one API over
 * memory and Redis. A window holding `burst` requests and lasting as long as
 * `burst` requests take at `ratePerMinute` gives both: at most `burst` at
 * once, and `ratePerMinute` on average.
 */
export function rateWindow(limits: RateLimits): { points: number; duration: number } {
  const points = Math.max(1, limits.burst);
  return { points, duration: Math.max(1, Math.ceil((points * 60) / limits.ratePerMinute)) };
}

/** A rate limiter in this process's memory, or in Redis (shared by every replica) when `redis` is given. */
export function createRateLimiter(limits: RateLimits, calls: StoreCalls, redis?: Redis): RateLimiter {
  if (limits.ratePerMinute <= 0) return { consume: async () => {} };
  const window = { ...rateWindow(limits), keyPrefix: 'gw:rate' };
  const limiter: RateLimiterAbstract = redis
    ? // Not ready (reconnecting): reject at once instead of queueing.
      new RateLimiterRedis({ ...window, storeClient: redis, rejectIfRedisNotReady: true })
    : new RateLimiterMemory(window);
  return {
    async consume(key) {
      await calls.run('rate.consume', async () => {
        try {
          await limiter.consume(key);
        } catch (refusal) {
          if (!(refusal instanceof RateLimiterRes)) throw refusal instanceof Error ? refusal : new Error(String(refusal));
          const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
          throw gatewayError(
            ErrorCode.RATE_LIMITED,
            `This API key is over its rate of ${limits.ratePerMinute} descriptions a minute (burst ${window.points}); retry in ${retryAfterSeconds} s.`,
            { limit: 'key-rate', retryAfterSeconds },
          );
        }
      });
    },
  };
}
