import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NormalisedImage } from '../images/normalise.js';
import type { StoreCalls } from './store-metrics.js';
import { overQuota, type StoredImage, type UploadQuota, type UploadStore } from './upload-store.js';

/**
 * Keeps one upload and enforces its owner's quota in one step, atomic across
 * replicas. Per owner: a hash per image (`bytes`, `meta`) with the upload's
 * TTL, a sorted set of ids by expiry time and a hash of their sizes. Expired
 * ids are forgotten, then the owner's oldest are dropped until the new image
 * fits. Time comes from Redis, so replicas' clocks do not matter. All keys of
 * one owner share a hash tag, so they sit in one slot.
 *
 * KEYS: index, sizes, image key. ARGV: id, bytes, meta, ttlMs, quota, image key prefix.
 * Returns the new upload's expiry time (ms since the epoch).
 */
const PUT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local size = string.len(ARGV[2])
local ttl = tonumber(ARGV[4])
local quota = tonumber(ARGV[5])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do held = held + tonumber(v) end
while held + size > quota do
  local oldest = redis.call('ZPOPMIN', KEYS[1])
  if #oldest == 0 then break end
  held = held - tonumber(redis.call('HGET', KEYS[2], oldest[1]) or '0')
  redis.call('HDEL', KEYS[2], oldest[1])
  redis.call('DEL', ARGV[6] .. oldest[1])
end
local expiresAt = now + ttl
-- Scores are strictly increasing, so ZPOPMIN always takes the oldest, even within one millisecond.
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= expiresAt then expiresAt = tonumber(newest[2]) + 1 end
redis.call('HSET', KEYS[3], 'bytes', ARGV[2], 'meta', ARGV[3])
redis.call('PEXPIRE', KEYS[3], expiresAt - now)
redis.call('ZADD', KEYS[1], expiresAt, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], size)
redis.call('PEXPIRE', KEYS[1], expiresAt - now)
redis.call('PEXPIRE', KEYS[2], expiresAt - now)
return expiresAt
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Meta = Omit<NormalisedImage, 'bytes'>;

type UploadRedis = Redis & {
  putUpload(index: string, sizes: string, image: string, id: string, bytes: Buffer, meta: string, ttlMs: number, quota: number, prefix: string): Promise<number>;
};

/** Uploads in Redis, shared by every replica (REDIS_URL). Values are binary; TTLs are Redis's own. */
export class RedisUploadStore implements UploadStore {
  private readonly redis: UploadRedis;

  constructor(
    redis: Redis,
    private readonly options: UploadQuota & { calls: StoreCalls; prefix?: string },
  ) {
    redis.defineCommand('putUpload', { numberOfKeys: 3, lua: PUT_SCRIPT });
    this.redis = redis as UploadRedis;
  }

  async put(owner: string, image: NormalisedImage): Promise<StoredImage> {
    const size = image.bytes.length;
    if (size > this.options.keyMaxBytes) throw overQuota(size, this.options.keyMaxBytes);
    const id = randomUUID();
    const { bytes, ...meta } = image;
    const keys = this.keysFor(owner);
    const expiresAt = await this.options.calls.run('upload.put', () =>
      this.redis.putUpload(keys.index, keys.sizes, keys.image(id), id, bytes, JSON.stringify(meta), this.options.ttlMs, this.options.keyMaxBytes, keys.image('')),
    );
    return { id, image, expiresAt: new Date(Number(expiresAt)) };
  }

  async get(owner: string, id: string): Promise<StoredImage | undefined> {
    if (!UUID.test(id)) return undefined;
    const key = this.keysFor(owner).image(id);
    const [fields, ttl] = await this.options.calls.run('upload.get', async () => {
      const results = await this.redis.multi().hmgetBuffer(key, 'bytes', 'meta').pttl(key).exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
      return [results[0]![1] as (Buffer | null)[], results[1]![1] as number] as const;
    });
    const [bytes, meta] = fields;
    if (!bytes || !meta || ttl <= 0) return undefined;
    const image: NormalisedImage = { ...(JSON.parse(meta.toString('utf8')) as Meta), bytes };
    return { id, image, expiresAt: new Date(Date.now() + ttl) };
  }

  private keysFor(owner: string) {
    // The hash tag {owner} keeps one owner's keys in one cluster slot.
    const base = `${this.options.prefix ?? 'gw:'}upload:{${owner}}:`;
    return { index: `${base}index`, sizes: `${base}sizes`, image: (id: string) => `${base}image:${id}` };
  }
}
