import { modelInfo } from '../bedrock/models.js';
import { ErrorCode, gatewayError } from '../errors.js';
import { formatBytes } from '../images/decode-base64.js';
import { normaliseImage } from '../images/normalise.js';
import type { Caller } from '../auth.js';
import type { Services } from './container.js';
import { imageLimitsFor } from './describe/prepare.js';

export interface UploadedImage {
  id: string;
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  originalByteSize: number;
  expiresAt: string;
}

/** Checks and normalises one uploaded file for the default model, then keeps it for the caller's later requests. */
export async function uploadImage(file: File, deps: Services, caller: Caller): Promise<UploadedImage> {
  if (file.size > deps.maxInputImageBytes) {
    throw gatewayError(
      ErrorCode.IMAGE_TOO_LARGE,
      `file: ${formatBytes(file.size)} is over the ${formatBytes(deps.maxInputImageBytes)} limit.`,
    );
  }
  const model = modelInfo(deps.defaultModelId);
  const image = await normaliseImage(Buffer.from(await file.arrayBuffer()), imageLimitsFor(model, deps), 'file');
  const stored = await deps.uploads.put(caller.id, image);
  return {
    id: stored.id,
    mediaType: image.mediaType,
    width: image.width,
    height: image.height,
    byteSize: image.bytes.length,
    originalByteSize: image.original.byteSize,
    expiresAt: stored.expiresAt.toISOString(),
  };
}
