import { randomUUID } from 'node:crypto';
import { checkImageCount, checkParameters } from '../../bedrock/catalogue/checks.js';
import { requestBodyBytes } from '../../bedrock/model-client.js';
import type { ModelRequest } from '../../bedrock/model-request.js';
import { ErrorCode, gatewayError } from '../../errors.js';
import { formatBytes } from '../../images/decode-base64.js';
import type { Services } from '../container.js';
import { loadImages, sentImage } from './images.js';
import { apiFamilyFor, resolveRequestModel } from './model.js';
import { checkTextLengths } from './text-limits.js';
import { buildTurns, checkConversation, isBlank, sentPrefix } from './conversation.js';
import { estimateImageTokens, estimateTextTokens, shouldCacheImages } from './estimate.js';
import type { DescribeImageInput, PreparedDescription } from './types.js';

export const DEFAULT_PROMPT =
  'Describe this image in detail: the main subject, the setting, notable objects, colours and any visible text.';
export const DEFAULT_MAX_TOKENS = 1024;
/** Bedrock's limit for one InvokeModel request body. */
export const MAX_PAYLOAD_BYTES = 20_000_000;
/** The gateway's own cap, below what some models take: each one is matched against every delta. */
const MAX_STOP_SEQUENCES = 8;

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
  if (input.stopSequences?.some(isBlank)) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'stopSequences must not contain empty or blank strings.');
  }
  if (input.prompt !== null && input.prompt !== undefined && isBlank(input.prompt)) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'prompt must not be blank; leave it out to use the default prompt.');
  }
  if (input.system !== null && input.system !== undefined && isBlank(input.system)) {
    // Converse refuses an empty system text block (system.*.member.text has length ≥ 1).
    throw gatewayError(ErrorCode.BAD_USER_INPUT, 'system must not be blank; leave it out for no system prompt.', { field: 'system' });
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
    baseModelId: entry.id,
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

