import { randomUUID } from 'node:crypto';
import { modelInfo, type VisionModelInfo } from '../../bedrock/models.js';
import { buildMessagesBody } from '../../bedrock/request-body.js';
import { ErrorCode, gatewayError } from '../../errors.js';
import { decodeBase64Image, formatBytes } from '../../images/decode-base64.js';
import { normaliseImage, type ImageLimits, type NormalisedImage } from '../../images/normalise.js';
import type { Services } from '../container.js';
import { buildTurns, checkConversation, sentPrefix } from './conversation.js';
import { estimateImageTokens, shouldCacheImages, tokenFormulaOf } from './estimate.js';
import type { DescribeImageInput, ImageInput, PreparedDescription, SentImage } from './types.js';

export const DEFAULT_PROMPT =
  'Describe this image in detail: the main subject, the setting, notable objects, colours and any visible text.';
export const DEFAULT_MAX_TOKENS = 1024;
/** Bedrock's limit for one InvokeModel request body. */
export const MAX_PAYLOAD_BYTES = 20_000_000;
const MAX_STOP_SEQUENCES = 8;

function checkRange(name: string, value: number | null | undefined, min: number, max: number) {
  if (value === null || value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name} must be between ${min} and ${max}; got ${value}.`, {
      field: name,
    });
  }
}

function resolveModel(input: DescribeImageInput, deps: Services): VisionModelInfo {
  const id = input.modelId ?? deps.defaultModelId;
  if (!deps.allowedModelIds.includes(id)) {
    const hint =
      deps.bedrockMode === 'local'
        ? ' This server runs the embedded local model because no AWS credentials were configured; set them (see README) to use Bedrock models.'
        : '';
    throw gatewayError(
      ErrorCode.MODEL_NOT_ALLOWED,
      `Model "${id}" is not allowed here. Allowed: ${deps.allowedModelIds.join(', ')}.${hint}`,
      { allowedModelIds: deps.allowedModelIds },
    );
  }
  return modelInfo(id);
}

async function loadImage(input: ImageInput, index: number, model: VisionModelInfo, deps: Services) {
  const label = `images[${index}]`;
  if (input.uploadId) {
    const stored = deps.uploads.get(input.uploadId);
    if (!stored) {
      throw gatewayError(
        ErrorCode.UPLOAD_NOT_FOUND,
        `${label}: upload "${input.uploadId}" is unknown or has expired. Upload the image again.`,
      );
    }
    return stored.image;
  }
  if (typeof input.base64 !== 'string') {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${label}: give exactly one of base64 or uploadId.`);
  }
  const bytes = decodeBase64Image(input.base64, deps.maxInputImageBytes, label);
  return normaliseImage(bytes, imageLimitsFor(model, deps), label);
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

function sentImage(image: NormalisedImage): SentImage {
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

/**
 * Every check that can fail without Bedrock runs here, before anything is
 * billed: model allow-list, parameter ranges, image count, each image's
 * format, pixels and size, and the whole payload.
 */
export async function prepareDescription(input: DescribeImageInput, deps: Services): Promise<PreparedDescription> {
  const model = resolveModel(input, deps);
  checkRange('maxTokens', input.maxTokens, 1, model.maxOutputTokens);
  checkRange('temperature', input.temperature, 0, 1);
  checkRange('topP', input.topP, 0, 1);
  checkRange('topK', input.topK, 0, 500);
  if (input.stopSequences && input.stopSequences.length > MAX_STOP_SEQUENCES) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `stopSequences takes at most ${MAX_STOP_SEQUENCES} entries.`);
  }
  if (input.stopSequences?.some((s) => s.trim() === '')) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'stopSequences must not contain empty or blank strings.');
  }
  if (input.prompt !== null && input.prompt !== undefined && input.prompt.trim() === '') {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'prompt must not be blank; leave it out to use the default prompt.');
  }
  const prompt = input.prompt ?? DEFAULT_PROMPT;
  const conversation = { history: input.history, prompt, answerPrefix: input.answerPrefix };
  checkConversation(conversation, deps.maxHistoryTurns);
  if (input.images.length === 0) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'images must hold at least one image.');
  }
  if (input.images.length > model.maxImages) {
    throw gatewayError(
      ErrorCode.TOO_MANY_IMAGES,
      `${input.images.length} images sent; ${model.id} takes at most ${model.maxImages} per request.`,
    );
  }

  const images = await Promise.all(input.images.map((image, index) => loadImage(image, index, model, deps)));
  const turns = buildTurns(conversation);
  const entry = undefined;
  const imageTokens = estimateImageTokens(images, tokenFormulaOf(entry));
  const cacheImages = shouldCacheImages(undefined, imageTokens);
  const maxTokens = input.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, model.maxOutputTokens);
  const system = input.system ?? undefined;
  const body = buildMessagesBody({
    images,
    turns,
    cacheImages,
    system,
    maxTokens,
    temperature: input.temperature ?? undefined,
    topP: input.topP ?? undefined,
    topK: input.topK ?? undefined,
    stopSequences: input.stopSequences ?? undefined,
  });
  const payloadBytes = Buffer.byteLength(body);
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw gatewayError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `The request would be ${formatBytes(payloadBytes)}; Bedrock accepts at most ${formatBytes(MAX_PAYLOAD_BYTES)}. Send fewer or smaller images.`,
    );
  }
  return {
    id: randomUUID(),
    model,
    body,
    images: images.map(sentImage),
    turns,
    answerPrefix: sentPrefix(input.answerPrefix),
    cacheImages,
    imageTokens,
    maxTokens,
    system,
    entry,
  };
}

