import type { Caller } from '../auth.js';
import { ErrorCode, gatewayError } from '../errors.js';
import { formatBytes } from '../images/decode-base64.js';
import { normaliseImage } from '../images/normalise.js';
import type { Services } from './container.js';
import { uploadLimits } from './describe/images.js';
import { admitRequest } from './request-scope.js';

export interface UploadedImage {
  id: string;
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  originalByteSize: number;
  expiresAt: string;
}

/**
 * Checks and normalises one uploaded file for the largest useful size of any
 * allowed model, then keeps it for the caller's later requests (each fits it
 * to its own model). It costs image work like a describe request, so it is
 * admitted like one (the key's rate, and a concurrency slot while it runs);
 * `signal` (the client left, or shutdown) frees the slot at once.
 */
export async function uploadImage(file: File, deps: Services, caller: Caller, signal: AbortSignal): Promise<UploadedImage> {
  if (file.size > deps.maxInputImageBytes) {
    throw gatewayError(
      ErrorCode.IMAGE_TOO_LARGE,
      `file: ${formatBytes(file.size)} is over the ${formatBytes(deps.maxInputImageBytes)} limit.`,
    );
  }
  const scope = await admitRequest(deps.admission, caller, signal);
  try {
    const bytes = Buffer.from(await scope.race(file.arrayBuffer()));
    const image = await scope.race(
      normaliseImage(bytes, uploadLimits(deps), 'file', { queue: deps.decodeQueue, signal: scope.signal }),
    );
    const stored = await scope.race(deps.uploads.put(caller.id, image));
    return {
      id: stored.id,
      mediaType: image.mediaType,
      width: image.width,
      height: image.height,
      byteSize: image.bytes.length,
      originalByteSize: image.original.byteSize,
      expiresAt: stored.expiresAt.toISOString(),
    };
  } finally {
    scope.release();
  }
}
