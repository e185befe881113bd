import { describe, expect, it } from 'vitest';
import type { NormalisedImage } from '../../api/images/normalise.js';
import { UploadStore } from '../../api/images/upload-store.js';

function image(size: number): NormalisedImage {
  const original = { format: 'png' as const, width: 1, height: 1, byteSize: size };
  return { bytes: Buffer.alloc(size), format: 'png', mediaType: 'image/png', width: 1, height: 1, original, reencoded: false };
}

describe('UploadStore', () => {
  it('returns an upload until it expires, then forgets it', () => {
    let now = 1_000;
    const store = new UploadStore({ ttlMs: 500, maxBytes: 1_000, now: () => now });
    const { id } = store.put(image(10));
    now = 1_499;
    expect(store.get(id)?.image.bytes.length).toBe(10);
    now = 1_500;
    expect(store.get(id)).toBeUndefined();
    expect(store.bytes).toBe(0);
  });

  it('drops the oldest uploads to stay within its byte budget', () => {
    const store = new UploadStore({ ttlMs: 60_000, maxBytes: 100 });
    const first = store.put(image(40));
    const second = store.put(image(40));
    const third = store.put(image(40));
    expect(store.get(first.id)).toBeUndefined();
    expect(store.get(second.id)).toBeDefined();
    expect(store.get(third.id)).toBeDefined();
    expect(store.bytes).toBe(80);
  });
});
