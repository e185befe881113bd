import { randomUUID } from 'node:crypto';
import { checkImageCount, checkLifecycle, checkParameters } from '../../bedrock/catalogue/checks.js';
import { conservativeEntry, resolveModel, type CatalogueEntry } from '../../bedrock/catalogue/index.js';
import type { ApiFamily } from '../../bedrock/catalogue/types.js';
import { requestBodyBytes } from '../../bedrock/model-client.js';
import type { ModelRequest } from '../../bedrock/model-request.js';
import { LOCAL_MODEL_ID, modelInfo, visionModelInfo, type VisionModelInfo } from '../../bedrock/models.js';
import { ErrorCode, gatewayError, truncateForMessage } from '../../errors.js';
import { decodeBase64Image, formatBytes } from '../../images/decode-base64.js';
import { DEFAULT_DECODE_QUEUE } from '../../images/decode-queue.js';
import { normaliseImage, type ImageLimits, type NormalisedImage } from '../../images/normalise.js';
import type { Services } from '../container.js';
import { buildTurns, checkConversation, sentPrefix } from './conversation.js';
import { estimateImageTokens, estimateTextTokens, shouldCacheImages } from './estimate.js';
import type { DescribeImageInput, ImageInput, PreparedDescription, SentImage } from './types.js';

export const DEFAULT_PROMPT =
  'Describe this image in detail: the main subject, the setting, notable objects, colours and any visible text.';
export const DEFAULT_MAX_TOKENS = 1024;
/** Bedrock's limit for one InvokeModel request body. */
export const MAX_PAYLOAD_BYTES = 20_000_000;
/** The gateway's own cap, below what some models take: each one is matched against every delta. */
const MAX_STOP_SEQUENCES = 8;

/**
 * The allowed model a request names (or the default), with its catalogue
 * entry: a model past its end of life is refused with the replacement named,
 * before the allow-list is consulted, so the answer says what to use instead.
 */
function resolveRequestModel(input: DescribeImageInput, deps: Services): { model: VisionModelInfo; entry: CatalogueEntry } {
  const id = input.modelId ?? deps.defaultModelId;
  const options = deps.modelDiscovery?.resolveOptions(deps.modelAliases) ?? { aliases: deps.modelAliases };
  const known = resolveModel(id, options)?.entry;
  const entry = known ? (deps.modelDiscovery?.withReportedLifecycle(known) ?? known) : conservativeEntry(id);
  if (known) checkLifecycle(entry);
  if (known && entry.requiresInferenceProfile && id === entry.id) {
    const profiles = entry.inferenceProfilePrefixes.map((prefix) => `${prefix}.${entry.id}`).join(', ');
    throw gatewayError(
      ErrorCode.MODEL_NOT_ALLOWED,
      `${entry.name} is served on demand only through an inference profile; ask for one of: ${profiles}.`,
      { allowedModelIds: deps.allowedModelIds },
    );
  }
  if (!deps.allowedModelIds.includes(id)) {
    const hint =
      deps.bedrockMode === 'local'
        ? ' This server runs the embedded local model because no AWS credentials were configured; set them (see README) to use Bedrock models.'
        : '';
    throw gatewayError(
      ErrorCode.MODEL_NOT_ALLOWED,
      `Model "${truncateForMessage(id)}" is not allowed here. Allowed: ${deps.allowedModelIds.join(', ')}.${hint}`,
      { allowedModelIds: deps.allowedModelIds },
    );
  }
  return { model: visionModelInfo(id, entry), entry };
}

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
async function loadImages(inputs: ImageInput[], model: VisionModelInfo, deps: Services, owner: string, signal?: AbortSignal) {
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

/** The server's input limits combined with what the model accepts and uses. */
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

export function imageLimitsFor(model: VisionModelInfo, deps: Services): ImageLimits {
  return {
    maxInputBytes: deps.maxInputImageBytes,
    maxInputPixels: deps.maxInputPixels,
    maxImageBytes: model.maxImageBytes,
    longEdge: model.recommendedLongEdge,
  };
}

/**
 * The API a model is called through: its catalogue family; the local model
 * follows LOCAL_MODEL_API, and PREFER_CONVERSE moves every model that also
 * speaks Converse (Claude) onto it.
 */
function apiFamilyFor(entry: CatalogueEntry, deps: Services): ApiFamily {
  if (entry.id === LOCAL_MODEL_ID) return deps.localModelApi;
  if (deps.preferConverse && entry.apiFamilies.includes('converse')) return 'converse';
  return entry.apiFamily;
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

function checkLength(name: string, value: string | null | undefined, max: number) {
  if (typeof value !== 'string' || max <= 0 || value.length <= max) return;
  throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name} is ${value.length} characters; the limit is ${max}.`, {
    field: name,
    limit: max,
  });
}

/** Caps on the request's text, so a megabyte of prompt never reaches (and is never billed by) Bedrock. */
function checkTextLengths(input: DescribeImageInput, limits: Services['textLimits']) {
  checkLength('prompt', input.prompt, limits.maxPromptChars);
  checkLength('system', input.system, limits.maxSystemChars);
  input.stopSequences?.forEach((stop, i) => checkLength(`stopSequences[${i}]`, stop, limits.maxStopSequenceChars));
  // A conversation's earlier turns and the answer prefix are sent (and billed) like the prompt.
  input.history?.forEach((turn, i) => checkLength(`history[${i}].text`, turn.text, limits.maxPromptChars));
  checkLength('answerPrefix', input.answerPrefix, limits.maxPromptChars);
  const total =
    (input.prompt?.length ?? 0) +
    (input.system?.length ?? 0) +
    (input.stopSequences ?? []).reduce((sum, s) => sum + s.length, 0) +
    (input.history ?? []).reduce((sum, turn) => sum + turn.text.length, 0) +
    (input.answerPrefix?.length ?? 0);
  if (limits.maxRequestTextChars > 0 && total > limits.maxRequestTextChars) {
    throw gatewayError(
      ErrorCode.BAD_USER_INPUT,
      `prompt, system, stopSequences, history and answerPrefix hold ${total} characters together; the limit is ${limits.maxRequestTextChars}.`,
      { limit: limits.maxRequestTextChars },
    );
  }
}

/**
 * Every check that can fail without Bedrock runs here, before anything is
 * billed: model allow-list, parameter ranges, text lengths, image count, each
 * image's format, pixels and size, and the whole payload. `owner` is the
 * caller's id: only its own uploads can be used. Aborting `signal` (the client
 * left, or shutdown) stops it between stages and takes the images still
 * waiting for a decode out of the queue.
 */
export async function prepareDescription(
  input: DescribeImageInput,
  deps: Services,
  owner: string,
  signal?: AbortSignal,
): Promise<PreparedDescription> {
  const { model, entry } = resolveRequestModel(input, deps);
  checkParameters(entry, input);
  if (input.stopSequences && input.stopSequences.length > MAX_STOP_SEQUENCES) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `stopSequences takes at most ${MAX_STOP_SEQUENCES} entries.`);
  }
  if (input.stopSequences?.some((s) => s.trim() === '')) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'stopSequences must not contain empty or blank strings.');
  }
  if (input.prompt !== null && input.prompt !== undefined && input.prompt.trim() === '') {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'prompt must not be blank; leave it out to use the default prompt.');
  }
  checkTextLengths(input, deps.textLimits);
  signal?.throwIfAborted();
  const prompt = input.prompt ?? DEFAULT_PROMPT;
  const conversation = { history: input.history, prompt, answerPrefix: input.answerPrefix };
  checkConversation(conversation, deps.maxHistoryTurns);
  if (sentPrefix(input.answerPrefix) && !entry.assistantPrefill) {
    throw gatewayError(
      ErrorCode.BAD_USER_INPUT,
      `${entry.name} does not continue an answer prefix; leave answerPrefix out, or ask for the format in the prompt.`,
      { field: 'answerPrefix' },
    );
  }
  if (input.images.length === 0) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'images must hold at least one image.');
  }
  checkImageCount(entry, input.images.length);

  const images = await loadImages(input.images, model, deps, owner, signal);
  signal?.throwIfAborted();
  const imageTokens = estimateImageTokens(images, entry.images.tokenFormula);
  const request: ModelRequest = {
    modelId: model.id,
    images: images.map((image) => ({ format: image.format, mediaType: image.mediaType, bytes: image.bytes })),
    turns: buildTurns(conversation),
    // A cache point only where the model caches and the images reach its minimum.
    cacheImages: shouldCacheImages(entry.promptCaching, imageTokens),
    system: input.system ?? undefined,
    maxTokens: input.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, model.maxOutputTokens),
    temperature: input.temperature ?? undefined,
    topP: input.topP ?? undefined,
    topK: input.topK ?? undefined,
    stopSequences: input.stopSequences ?? undefined,
  };
  const family = apiFamilyFor(entry, deps);
  const payloadBytes = requestBodyBytes(request, family);
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw gatewayError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `The request would be ${formatBytes(payloadBytes)}; Bedrock accepts at most ${formatBytes(MAX_PAYLOAD_BYTES)}. Send fewer or smaller images.`,
    );
  }
  return {
    id: randomUUID(),
    model,
    entry,
    request,
    family,
    images: images.map(sentImage),
    answerPrefix: sentPrefix(input.answerPrefix),
    imageTokens,
    inputTokensEstimate: imageTokens + estimateTextTokens([request.system, ...request.turns.map((turn) => turn.text)]),
  };
}

