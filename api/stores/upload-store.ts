import { ErrorCode, gatewayError } from '../errors.js';
import { formatBytes } from '../images/decode-base64.js';
import type { NormalisedImage } from '../images/normalise.js';

export interface StoredImage {
  id: string;
  image: NormalisedImage;
  expiresAt: Date;
}

/**
 * Uploaded images held for a short time, each owned by the caller (API key)
 * that uploaded it. An upload is found only by its owner: for anyone else it
 * does not exist, so ids cannot be probed. Each owner has its own byte quota;
 * over it, that owner's oldest uploads go first, so one key cannot push out
 * another's.
 */
export interface UploadStore {
  /** Keeps `image` for `owner`, dropping the owner's oldest uploads to stay within its quota. */
  put(owner: string, image: NormalisedImage): Promise<StoredImage>;
  /** The owner's upload, or undefined when it is unknown, expired or someone else's. */
  get(owner: string, id: string): Promise<StoredImage | undefined>;
}

export interface UploadQuota {
  /** How long an upload lives. */
  ttlMs: number;
  /** Bytes one owner may hold; over it, the owner's oldest uploads are dropped. */
  keyMaxBytes: number;
}

/** One image larger than a whole quota can never be kept. */
export function overQuota(bytes: number, keyMaxBytes: number) {
  return gatewayError(
    ErrorCode.IMAGE_TOO_LARGE,
    `file: ${formatBytes(bytes)} after normalisation is over this API key's upload quota of ${formatBytes(keyMaxBytes)}.`,
    { limit: 'key-upload-bytes' },
  );
}
