import { modelInfo, type VisionModelInfo } from '../../bedrock/models.js';
import { ErrorCode, gatewayError, truncateForMessage } from '../../errors.js';
import { decodeBase64Image } from '../../images/decode-base64.js';
import { DEFAULT_DECODE_QUEUE } from '../../images/decode-queue.js';
import { normaliseImage, type ImageLimits, type NormalisedImage } from '../../images/normalise.js';
import type { Services } from '../container.js';
import type { ImageInput, SentImage } from './types.js';

async function loadImage(input: ImageInput, index: number, model: VisionModelInfo, deps: Services, owner: string, signal: AbortSignal) {
  const label = `images[${index}]`;
  if (input.uploadId) {
    // Someone else's upload gets the same answer as an unknown id, so ids cannot be probed.
    const stored = await deps.uploads.get(owner, input.uploadId);
    if (!stored) {
      throw gatewayError(
        ErrorCode.UPLOAD_NOT_FOUND,
        `${label}: upload "${truncateForMessage(input.uploadId)}" is unknown or has expired. Upload the image again.`,
      );
    }
    return fitStoredImage(stored.image, model, deps, label, signal);
  }
  if (typeof input.base64 !== 'string') {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${label}: give exactly one of base64 or uploadId.`);
  }
  const bytes = decodeBase64Image(input.base64, deps.maxInputImageBytes, label);
  signal.throwIfAborted();
  return normaliseImage(bytes, imageLimitsFor(model, deps), label, { queue: deps.decodeQueue, signal });
}

/**
 * Every image of a request, in order, at most as many at once as the decode
 * queue runs: a request's images then wait only behind other requests' work
 * (not behind each other, which would make the 20th image of one big request
 * time out), requests take turns, and base64 is decoded only when an image's
 * turn comes. The first failure stops the rest, since the request is lost anyway.
 */
export async function loadImages(inputs: ImageInput[], model: VisionModelInfo, deps: Services, owner: string, signal?: AbortSignal) {
  // One signal for the images: the request's, or the first failure. Linked by
  // hand: yoga's request signal is an EventTarget of @whatwg-node/server, not a
  // native AbortSignal, and with AbortSignal.any over it a cancelled mutation's
  // Bedrock call was never aborted (test/integration/cancellation.test.ts).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal?.aborted) stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const images: NormalisedImage[] = [];
  let next = 0;
  const work = async () => {
    while (next < inputs.length) {
      if (stop.signal.aborted) {
        throw gatewayError(ErrorCode.CANCELLED, 'The request was cancelled while its images were being prepared.');
      }
      const index = next++;
      images[index] = await loadImage(inputs[index]!, index, model, deps, owner, stop.signal);
    }
  };
  const lanes = Math.min(inputs.length, deps.decodeQueue?.options.concurrency ?? DEFAULT_DECODE_QUEUE.concurrency);
  try {
    await Promise.all(
      Array.from({ length: lanes }, () =>
        work().catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      ),
    );
    return images;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/**
 * An upload is stored once, fitted for the largest useful size among the
 * allowed models, and fitted again here for the model a request names when
 * that model takes less (a shorter useful edge, or fewer bytes per image).
 */
export async function fitStoredImage(
  image: NormalisedImage,
  model: VisionModelInfo,
  deps: Services,
  label: string,
  signal?: AbortSignal,
): Promise<NormalisedImage> {
  if (Math.max(image.width, image.height) <= model.recommendedLongEdge && image.bytes.length <= model.maxImageBytes) return image;
  const fitted = await normaliseImage(image.bytes, imageLimitsFor(model, deps), label, { queue: deps.decodeQueue, signal });
  // What the person uploaded stays the original, not the stored copy.
  return { ...fitted, original: image.original, reencoded: true };
}

/** Limits an upload is fitted to: the largest useful size and byte limit of any allowed model. */
export function uploadLimits(deps: Services): ImageLimits {
  const models = deps.allowedModelIds.map((id) => modelInfo(id, deps.modelDiscovery?.resolveOptions(deps.modelAliases) ?? { aliases: deps.modelAliases }));
  return {
    maxInputBytes: deps.maxInputImageBytes,
    maxInputPixels: deps.maxInputPixels,
    maxImageBytes: Math.max(...models.map((model) => model.maxImageBytes)),
    longEdge: Math.max(...models.map((model) => model.recommendedLongEdge)),
  };
}

/** The server's input limits combined with what the model accepts and uses. */
export function imageLimitsFor(model: VisionModelInfo, deps: Services): ImageLimits {
  return {
    maxInputBytes: deps.maxInputImageBytes,
    maxInputPixels: deps.maxInputPixels,
    maxImageBytes: model.maxImageBytes,
    longEdge: model.recommendedLongEdge,
  };
}

export function sentImage(image: NormalisedImage): SentImage {
  return {
    mediaType: image.mediaType,
    width: image.width,
    height: image.height,
    byteSize: image.bytes.length,
    originalWidth: image.original.width,
    originalHeight: image.original.height,
    originalByteSize: image.original.byteSize,
    reencoded: image.reencoded,
  };
}
