import { randomUUID } from 'node:crypto';
import { ErrorCode, gatewayError } from '../errors.js';
import type { NormalisedImage } from '../images/normalise.js';
import { overQuota, type StoredImage, type UploadQuota, type UploadStore } from './upload-store.js';

export interface MemoryUploadStoreOptions extends UploadQuota {
  /** Bytes held at most by this process, all owners together; past it new uploads are refused. */
  maxBytes: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

interface Entry {
  owner: string;
  stored: StoredImage;
}

/**
 * Uploads in this process's memory (no REDIS_URL). A Map keeps insertion
 * order and every upload has the same TTL, so the first entries are the oldest.
 */
export class MemoryUploadStore implements UploadStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ownerBytes = new Map<string, number>();
  private heldBytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: MemoryUploadStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async put(owner: string, image: NormalisedImage): Promise<StoredImage> {
    const size = image.bytes.length;
    if (size > this.options.keyMaxBytes) throw overQuota(size, this.options.keyMaxBytes);
    this.dropExpired();
    // The owner's oldest uploads that must go for this one to fit its quota.
    const evict: string[] = [];
    let ownerBytes = this.ownerBytes.get(owner) ?? 0;
    for (const [id, entry] of this.entries) {
      if (ownerBytes + size <= this.options.keyMaxBytes) break;
      if (entry.owner !== owner) continue;
      evict.push(id);
      ownerBytes -= entry.stored.image.bytes.length;
    }
    const freed = (this.ownerBytes.get(owner) ?? 0) - ownerBytes;
    if (this.heldBytes - freed + size > this.options.maxBytes) {
      // Evicting other keys' uploads here would let one key push out another's.
      throw gatewayError(ErrorCode.RATE_LIMITED, 'The server holds as many uploads as it can; send the image inline or retry later.', {
        limit: 'upload-store-bytes',
      });
    }
    for (const id of evict) this.delete(id);
    const stored = { id: randomUUID(), image, expiresAt: new Date(this.now() + this.options.ttlMs) };
    this.entries.set(stored.id, { owner, stored });
    this.ownerBytes.set(owner, (this.ownerBytes.get(owner) ?? 0) + size);
    this.heldBytes += size;
    return stored;
  }

  async get(owner: string, id: string): Promise<StoredImage | undefined> {
    const entry = this.entries.get(id);
    if (!entry || entry.owner !== owner) return undefined;
    if (entry.stored.expiresAt.getTime() <= this.now()) {
      this.delete(id);
      return undefined;
    }
    return entry.stored;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  private delete(id: string) {
    const entry = this.entries.get(id);
    if (!entry) return;
    const size = entry.stored.image.bytes.length;
    this.entries.delete(id);
    this.heldBytes -= size;
    const left = (this.ownerBytes.get(entry.owner) ?? 0) - size;
    if (left > 0) this.ownerBytes.set(entry.owner, left);
    else this.ownerBytes.delete(entry.owner);
  }

  private dropExpired() {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.stored.expiresAt.getTime() > now) break; // same TTL for all: the rest are newer
      this.delete(id);
    }
  }
}
