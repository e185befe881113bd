import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { NormalisedImage } from '../../api/images/normalise.js';
import { createStores, type Stores } from '../../api/stores/create-stores.js';
import { useRedis } from '../helpers/use-redis.js';

const redis = useRedis();
const silent = pino({ level: 'silent' });

function image(size: number, fill = 1): NormalisedImage {
  const original = { format: 'png' as const, width: 2, height: 3, byteSize: size };
  return { bytes: Buffer.alloc(size, fill), format: 'png', mediaType: 'image/png', width: 2, height: 3, original, reencoded: false };
}

type Overrides = { ttlMs?: number; keyMaxBytes?: number; maxBytes?: number; keyMaxConcurrent?: number; keyRatePerMinute?: number; keyBurst?: number; keyLeaseMs?: number };

const opened: Stores[] = [];
afterAll(async () => {
  for (const stores of opened) await stores.close();
});

async function open(kind: 'memory' | 'redis', overrides: Overrides = {}, registry = new Registry()): Promise<Stores> {
  const stores = await createStores(
    {
      uploads: { ttlMs: overrides.ttlMs ?? 60_000, maxBytes: overrides.maxBytes ?? 1_000_000, keyMaxBytes: overrides.keyMaxBytes ?? 100 },
      limits: {
        keyMaxConcurrent: overrides.keyMaxConcurrent ?? 2,
        keyRatePerMinute: overrides.keyRatePerMinute ?? 600,
        keyBurst: overrides.keyBurst ?? 100,
        maxConcurrent: 0,
        keyLeaseMs: overrides.keyLeaseMs ?? 30_000,
      },
      redisUrl: kind === 'redis' ? redis().url : undefined,
      redisTimeoutMs: 500,
    },
    registry,
    silent,
  );
  opened.push(stores);
  return stores;
}

const owner = () => `key:${Math.random().toString(16).slice(2)}`;

describe.each(['memory', 'redis'] as const)('%s stores', (kind) => {
  describe('uploads', () => {
    it('gives an upload back, bytes and all, to its owner only', async () => {
      const stores = await open(kind);
      const [alice, bob] = [owner(), owner()];
      const stored = await stores.uploads.put(alice, image(10, 7));
      const found = await stores.uploads.get(alice, stored.id);
      expect(found?.image).toEqual(image(10, 7));
      expect(Math.abs(found!.expiresAt.getTime() - stored.expiresAt.getTime())).toBeLessThan(1000);
      expect(await stores.uploads.get(bob, stored.id)).toBeUndefined();
      expect(await stores.uploads.get(alice, 'not-an-id')).toBeUndefined();
    });

    it("drops the owner's own oldest uploads past its quota, never another key's", async () => {
      const stores = await open(kind, { keyMaxBytes: 100 });
      const [alice, bob] = [owner(), owner()];
      const alices = [await stores.uploads.put(alice, image(40)), await stores.uploads.put(alice, image(40))];
      const bobs = [];
      for (let i = 0; i < 5; i++) bobs.push(await stores.uploads.put(bob, image(40)));
      for (const upload of alices) expect(await stores.uploads.get(alice, upload.id)).toBeDefined();
      const bobsLeft = await Promise.all(bobs.map((upload) => stores.uploads.get(bob, upload.id)));
      expect(bobsLeft.map(Boolean)).toEqual([false, false, false, true, true]);
    });

    it('refuses an image larger than a whole quota', async () => {
      const stores = await open(kind, { keyMaxBytes: 100 });
      await expect(stores.uploads.put(owner(), image(101))).rejects.toMatchObject({ extensions: { code: 'IMAGE_TOO_LARGE', limit: 'key-upload-bytes' } });
    });

    it('forgets an upload when its TTL runs out', async () => {
      const stores = await open(kind, { ttlMs: 150 });
      const alice = owner();
      const stored = await stores.uploads.put(alice, image(10));
      expect(await stores.uploads.get(alice, stored.id)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await stores.uploads.get(alice, stored.id)).toBeUndefined();
    });
  });

  describe('rate limiter', () => {
    it('allows the burst, then refuses with a retry time', async () => {
      const stores = await open(kind, { keyRatePerMinute: 1, keyBurst: 2 });
      const key = owner();
      await stores.rate.consume(key);
      await stores.rate.consume(key);
      await expect(stores.rate.consume(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'key-rate', retryAfterSeconds: 120 } });
      await stores.rate.consume(owner());
    });
  });

  describe('concurrency limiter', () => {
    it('gives out `limit` slots per key and takes each back exactly once', async () => {
      const stores = await open(kind, { keyMaxConcurrent: 2 });
      const key = owner();
      const first = await stores.concurrency.acquire(key);
      await stores.concurrency.acquire(key);
      await expect(stores.concurrency.acquire(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'key-concurrency' } });
      await stores.concurrency.acquire(owner());
      await first.release();
      await first.release();
      await stores.concurrency.acquire(key);
      await expect(stores.concurrency.acquire(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    });
  });
});

describe('memory upload store', () => {
  it("refuses a new upload when the whole store is full rather than evict another key's", async () => {
    const stores = await open('memory', { keyMaxBytes: 100, maxBytes: 150 });
    const [alice, bob] = [owner(), owner()];
    const alices = await stores.uploads.put(alice, image(100));
    await expect(stores.uploads.put(bob, image(60))).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'upload-store-bytes' } });
    expect(await stores.uploads.get(alice, alices.id)).toBeDefined();
    // Its own quota still makes room within its share.
    await stores.uploads.put(alice, image(100));
    expect(await stores.uploads.get(alice, alices.id)).toBeUndefined();
  });
});

describe('redis stores shared by two replicas', () => {
  it('see the same uploads, rate and slots', async () => {
    const [a, b] = [await open('redis', { keyMaxConcurrent: 2, keyRatePerMinute: 1, keyBurst: 3 }), await open('redis', { keyMaxConcurrent: 2, keyRatePerMinute: 1, keyBurst: 3 })];
    const key = owner();
    const stored = await a.uploads.put(key, image(30, 3));
    expect((await b.uploads.get(key, stored.id))?.image.bytes).toEqual(Buffer.alloc(30, 3));

    await a.concurrency.acquire(key);
    await b.concurrency.acquire(key);
    await expect(a.concurrency.acquire(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    await expect(b.concurrency.acquire(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });

    await a.rate.consume(key);
    await b.rate.consume(key);
    await a.rate.consume(key);
    await expect(b.rate.consume(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'key-rate' } });
  });

  it("enforce one key's upload quota across replicas", async () => {
    const [a, b] = [await open('redis', { keyMaxBytes: 100 }), await open('redis', { keyMaxBytes: 100 })];
    const key = owner();
    const first = await a.uploads.put(key, image(60));
    const second = await b.uploads.put(key, image(60));
    expect(await a.uploads.get(key, first.id)).toBeUndefined();
    expect(await a.uploads.get(key, second.id)).toBeDefined();
  });

  it('keep a live lease past its lease time, and give back the slots of a replica that stopped renewing', async () => {
    const leaseMs = 300;
    const live = await open('redis', { keyMaxConcurrent: 1, keyLeaseMs: leaseMs });
    const other = await open('redis', { keyMaxConcurrent: 1, keyLeaseMs: leaseMs });
    const key = owner();
    const slot = await live.concurrency.acquire(key);
    await new Promise((resolve) => setTimeout(resolve, leaseMs * 3));
    await expect(other.concurrency.acquire(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    await slot.release();

    // A replica that dies holding a slot: it never releases and no longer renews.
    const dying = await open('redis', { keyMaxConcurrent: 1, keyLeaseMs: leaseMs });
    await dying.concurrency.acquire(key);
    await dying.close();
    await expect(other.concurrency.acquire(key)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    await new Promise((resolve) => setTimeout(resolve, leaseMs + 100));
    await other.concurrency.acquire(key);
  });
});

describe('redis trouble', () => {
  it('refuses to start when Redis cannot be reached, saying where', async () => {
    const started = createStores(
      { uploads: { ttlMs: 1000, maxBytes: 1000, keyMaxBytes: 100 }, limits: { keyMaxConcurrent: 1, keyRatePerMinute: 1, keyBurst: 1, maxConcurrent: 0, keyLeaseMs: 1000 }, redisUrl: 'redis://127.0.0.1:1', redisTimeoutMs: 200 },
      new Registry(),
      silent,
    );
    await expect(started).rejects.toThrow(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*REDIS_URL/);
  });

  it('fails a command within REDIS_TIMEOUT_MS when Redis hangs (connection open, no answers)', async () => {
    const stores = await open('redis');
    const pid = redis().pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const started = performance.now();
      await expect(stores.rate.consume(owner())).rejects.toMatchObject({ extensions: { code: 'STORE_UNAVAILABLE' } });
      await expect(stores.uploads.get(owner(), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ extensions: { code: 'STORE_UNAVAILABLE' } });
      expect(performance.now() - started).toBeLessThan(2 * 500 + 500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await expect.poll(async () => stores.rate.consume(owner()).then(() => 'ok', () => 'failed'), { timeout: 5000 }).toBe('ok');
  });

  it('fails fast with STORE_UNAVAILABLE while Redis is down, counts it, and recovers by itself', async () => {
    const registry = new Registry();
    const stores = await open('redis', {}, registry);
    const key = owner();
    await redis().stop();
    try {
      await expect.poll(() => stores.ready()).toBe(false);
      const started = performance.now();
      for (const attempt of [
        stores.uploads.put(key, image(10)),
        stores.uploads.get(key, '00000000-0000-4000-8000-000000000000'),
        stores.rate.consume(key),
        stores.concurrency.acquire(key),
      ]) {
        await expect(attempt).rejects.toMatchObject({ extensions: { code: 'STORE_UNAVAILABLE', retryable: true } });
      }
      expect(performance.now() - started).toBeLessThan(1000);
      const metrics = await registry.metrics();
      expect(metrics).toMatch(/gateway_store_errors_total\{store="redis",operation="upload.put"\} 1/);
      expect(metrics).toMatch(/gateway_store_info\{store="redis"\} 1/);
    } finally {
      await redis().start();
    }
    await expect.poll(() => stores.ready(), { timeout: 5000 }).toBe(true);
    const stored = await stores.uploads.put(key, image(10));
    expect(await stores.uploads.get(key, stored.id)).toBeDefined();
  });
});
