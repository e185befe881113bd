import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import { MemoryConcurrencyLimiter } from './memory-concurrency-limiter.js';
import { MemoryUploadStore } from './memory-upload-store.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { connectRedis, redactUrl } from './redis-client.js';
import { RedisConcurrencyLimiter } from './redis-concurrency-limiter.js';
import { RedisUploadStore } from './redis-upload-store.js';
import { createStoreCalls, type StoreKind } from './store-metrics.js';
import type { UploadStore } from './upload-store.js';

/** Uploads and per-key limits, in memory or in Redis, chosen once at start. */
export interface Stores {
  readonly kind: StoreKind;
  readonly uploads: UploadStore;
  readonly rate: RateLimiter;
  readonly concurrency: ConcurrencyLimiter;
  /** False while the store cannot be reached (for /ready); memory is always ready. */
  ready(): boolean;
  close(): Promise<void>;
}

type StoreConfig = Pick<Config, 'uploads' | 'limits' | 'redisUrl' | 'redisTimeoutMs'>;

/**
 * Memory when `redisUrl` is unset; Redis otherwise. With Redis, rejects when
 * it cannot be reached at start (main.ts then exits non-zero).
 */
export async function createStores(config: StoreConfig, registry: Registry, logger: Logger): Promise<Stores> {
  const rateLimits = { ratePerMinute: config.limits.keyRatePerMinute, burst: config.limits.keyBurst };
  if (!config.redisUrl) {
    const calls = createStoreCalls('memory', registry, logger);
    return {
      kind: 'memory',
      uploads: new MemoryUploadStore(config.uploads),
      rate: createRateLimiter(rateLimits, calls),
      concurrency: new MemoryConcurrencyLimiter(config.limits.keyMaxConcurrent),
      ready: () => true,
      close: async () => {},
    };
  }
  const redis: Redis = await connectRedis(config.redisUrl, logger, { commandTimeoutMs: config.redisTimeoutMs });
  logger.info({ store: 'redis', url: redactUrl(config.redisUrl) }, 'uploads and per-key limits are shared through Redis');
  const calls = createStoreCalls('redis', registry, logger);
  const concurrency = new RedisConcurrencyLimiter(redis, {
    limit: config.limits.keyMaxConcurrent,
    leaseMs: config.limits.keyLeaseMs,
    calls,
  });
  return {
    kind: 'redis',
    uploads: new RedisUploadStore(redis, { ...config.uploads, calls }),
    rate: createRateLimiter(rateLimits, calls, redis),
    concurrency,
    ready: () => redis.status === 'ready',
    async close() {
      concurrency.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
