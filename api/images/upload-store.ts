import { randomUUID } from 'node:crypto';
import type { NormalisedImage } from './normalise.js';

export interface StoredImage {
  id: string;
  image: NormalisedImage;
  expiresAt: Date;
}

export interface UploadStoreOptions {
  /** How long an upload lives. */
  ttlMs: number;
  /** Bytes held at most; the oldest uploads are dropped first to make room. */
  maxBytes: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Normalised uploads held in memory for a short time, so a client can upload
 * once and describe many times. Bounded in bytes and time; a Map keeps
 * insertion order, so the first entries are always the oldest.
 */
export class UploadStore {
  private readonly entries = new Map<string, StoredImage>();
  private heldBytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: UploadStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  put(image: NormalisedImage): StoredImage {
    this.dropExpired();
    while (this.heldBytes + image.bytes.length > this.options.maxBytes && this.entries.size > 0) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
    const stored = { id: randomUUID(), image, expiresAt: new Date(this.now() + this.options.ttlMs) };
    this.entries.set(stored.id, stored);
    this.heldBytes += image.bytes.length;
    return stored;
  }

  get(id: string): StoredImage | undefined {
    const stored = this.entries.get(id);
    if (stored && stored.expiresAt.getTime() <= this.now()) {
      this.delete(id);
      return undefined;
    }
    return stored;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  private delete(id: string) {
    const stored = this.entries.get(id);
    if (!stored) return;
    this.entries.delete(id);
    this.heldBytes -= stored.image.bytes.length;
  }

  private dropExpired() {
    const now = this.now();
    for (const [id, stored] of this.entries) {
      if (stored.expiresAt.getTime() > now) break; // same TTL for all: the rest are newer
      this.delete(id);
    }
  }
}
