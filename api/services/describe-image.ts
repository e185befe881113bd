import { randomUUID } from 'node:crypto';
import {
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from '../bedrock/errors.js';
import { idleTimeout } from '../bedrock/idle-timeout.js';
import { modelInfo, type VisionModelInfo } from '../bedrock/models.js';
import { buildMessagesBody } from '../bedrock/request-body.js';
import {
  AnthropicStreamDecoder,
  decodeAnthropicMessage,
  readBody,
  takeEventStreamBody,
  type TokenUsage,
} from '../bedrock/response-stream.js';
import { ErrorCode, gatewayError } from '../errors.js';
import { decodeBase64Image, formatBytes } from '../images/decode-base64.js';
import { normaliseImage, type ImageLimits, type NormalisedImage } from '../images/normalise.js';
import type { UploadStore } from '../images/upload-store.js';
import type { Telemetry } from '../telemetry.js';
import type { Admission } from './admission.js';

export const DEFAULT_PROMPT =
  'Describe this image in detail: the main subject, the setting, notable objects, colours and any visible text.';
export const DEFAULT_MAX_TOKENS = 1024;
/** Bedrock's limit for one InvokeModel request body. */
export const MAX_PAYLOAD_BYTES = 20_000_000;
const MAX_STOP_SEQUENCES = 8;

export interface ImageInput {
  base64?: string | null;
  uploadId?: string | null;
}

export interface DescribeImageInput {
  images: ImageInput[];
  prompt?: string | null;
  system?: string | null;
  modelId?: string | null;
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  topK?: number | null;
  stopSequences?: string[] | null;
}

export interface DescribeImageDeps {
  bedrock: BedrockRuntimeClient;
  uploads: UploadStore;
  allowedModelIds: string[];
  defaultModelId: string;
  /** Mode the server runs in, for error messages that say how to switch. */
  bedrockMode: 'local' | 'aws';
  maxInputImageBytes: number;
  maxInputPixels: number;
  /** Gate for every describe request: limits and shutdown. */
  admission: Admission;
  /** Abort an upstream call that sends nothing for this long; 0 = never. */
  upstreamIdleTimeoutMs: number;
  telemetry: Telemetry;
}

/** What was sent for one image, reported back so a user sees what the model saw. */
export interface SentImage {
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  originalWidth: number;
  originalHeight: number;
  originalByteSize: number;
  reencoded: boolean;
}

/** A request that passed every check and is ready to bill. */
export interface PreparedDescription {
  id: string;
  model: VisionModelInfo;
  body: string;
  images: SentImage[];
}

export interface DescriptionChunk {
  id: string;
  index: number;
  text: string;
  done: boolean;
  stopReason?: string;
  usage?: TokenUsage;
  modelId?: string;
  latencyMs?: number;
  firstTokenMs?: number | null;
  images?: SentImage[];
}

export interface Description {
  id: string;
  text: string;
  modelId: string;
  stopReason: string;
  usage: TokenUsage;
  latencyMs: number;
  images: SentImage[];
}

function checkRange(name: string, value: number | null | undefined, min: number, max: number) {
  if (value === null || value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw gatewayError(ErrorCode.BAD_USER_INPUT, `${name} must be between ${min} and ${max}; got ${value}.`, {
      field: name,
    });
  }
}

function resolveModel(input: DescribeImageInput, deps: DescribeImageDeps): VisionModelInfo {
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

async function loadImage(input: ImageInput, index: number, model: VisionModelInfo, deps: DescribeImageDeps) {
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
export function imageLimitsFor(model: VisionModelInfo, deps: DescribeImageDeps): ImageLimits {
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
export async function prepareDescription(input: DescribeImageInput, deps: DescribeImageDeps): Promise<PreparedDescription> {
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
  const body = buildMessagesBody({
    images,
    prompt: input.prompt ?? DEFAULT_PROMPT,
    system: input.system ?? undefined,
    maxTokens: input.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, model.maxOutputTokens),
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
  return { id: randomUUID(), model, body, images: images.map(sentImage) };
}

function upstreamFailure(error: unknown, prepared: PreparedDescription, timedOut: boolean): unknown {
  if (timedOut) {
    return gatewayError(
      ErrorCode.UPSTREAM_TIMEOUT,
      `Bedrock sent nothing for too long while running ${prepared.model.id}; the call was aborted. Try again.`,
    );
  }
  return mapBedrockError(error, prepared.model.id) ?? error;
}

/** The last chunk of a description, before it is numbered. */
export type DescriptionTotals = Omit<DescriptionChunk, 'index'>;

/**
 * Reads one description: exactly one billed Bedrock stream, each text delta
 * handed to `onText` the moment it is decoded; resolves with the totals for
 * the final chunk (stop reason, usage, timings). Aborting `signal` cancels the
 * upstream call; it then resolves with undefined.
 */
export async function readDescription(
  prepared: PreparedDescription,
  bedrock: BedrockRuntimeClient,
  signal: AbortSignal,
  onText: (text: string) => void,
  idleTimeoutMs = 0,
): Promise<DescriptionTotals | undefined> {
  const upstream = idleTimeout(signal, idleTimeoutMs);
  const started = performance.now();
  let firstTokenMs: number | null = null;
  const decoder = new AnthropicStreamDecoder((text) => {
    firstTokenMs ??= Math.round(performance.now() - started);
    onText(text);
  });
  try {
    const command = new InvokeModelWithResponseStreamCommand({
      modelId: prepared.model.id,
      contentType: 'application/json',
      accept: 'application/json',
      body: prepared.body,
    });
    const raw = takeEventStreamBody(command);
    await bedrock.send(command, { abortSignal: upstream.signal });
    if (!raw.body) throw gatewayError(ErrorCode.UPSTREAM_ERROR, 'Bedrock returned no response stream.');
    decoder.requestId = raw.requestId;
    await readBody(raw.body, (bytes) => {
      upstream.touch();
      decoder.write(bytes);
    });
    decoder.end();
    return {
      id: prepared.id,
      text: '',
      done: true,
      stopReason: decoder.stopReason,
      usage: decoder.usage,
      modelId: prepared.model.id,
      latencyMs: Math.round(performance.now() - started),
      firstTokenMs,
      images: prepared.images,
    };
  } catch (error) {
    if (signal.aborted) return undefined;
    throw upstreamFailure(error, prepared, upstream.timedOut);
  } finally {
    upstream.dispose();
  }
}

/** One whole description through InvokeModel (not streamed). */
export async function invokeDescription(
  prepared: PreparedDescription,
  bedrock: BedrockRuntimeClient,
  signal: AbortSignal,
  idleTimeoutMs = 0,
): Promise<Description> {
  const upstream = idleTimeout(signal, idleTimeoutMs);
  const started = performance.now();
  try {
    const response = await bedrock.send(
      new InvokeModelCommand({
        modelId: prepared.model.id,
        contentType: 'application/json',
        accept: 'application/json',
        body: prepared.body,
      }),
      { abortSignal: upstream.signal },
    );
    const message = decodeAnthropicMessage(response.body);
    return {
      id: prepared.id,
      modelId: prepared.model.id,
      ...message,
      latencyMs: Math.round(performance.now() - started),
      images: prepared.images,
    };
  } catch (error) {
    if (signal.aborted) throw gatewayError(ErrorCode.CANCELLED, 'The request was cancelled before Bedrock answered.');
    throw upstreamFailure(error, prepared, upstream.timedOut);
  } finally {
    upstream.dispose();
  }
}

/** An item of a subscription: a chunk, or the error that ends the stream after the chunks already sent. */
export type DescriptionEvent = DescriptionChunk | { error: unknown };

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The subscription's source: one upstream call, read as fast as Bedrock sends,
 * whatever the client's pace. Deltas are merged, in order, into one chunk when
 * they queue up (issue #5), so one GraphQL execution and one frame carry them
 * all:
 * - behind a slow consumer: what arrives while the last chunk is still being
 *   sent goes out with the next one;
 * - behind a busy event loop: a delta is handed to a waiting consumer at the
 *   end of the loop turn it arrived in (setImmediate), so the deltas that
 *   arrived in the same turn, which a loaded server reads many at a time,
 *   travel together. On an idle server that turn is microseconds long.
 * Nothing is dropped: a merged chunk just carries more text, and `index`
 * counts the chunks actually sent. Reading eagerly is what makes merging
 * possible: deltas left unread upstream could only come out one at a time.
 *
 * It owns the AbortController of the upstream call: `return()` (client
 * unsubscribed or went away) aborts Bedrock at once, even while a `next()` is
 * pending, which a plain async generator would not do. A failure mid-stream
 * becomes the last event instead of a throw, so it ends only this
 * subscription, after the text already received.
 */
class CoalescingDescriptionStream implements AsyncIterableIterator<DescriptionEvent> {
  private readonly controller = new AbortController();
  /** Text received and not yet handed out. */
  private text = '';
  /** The final chunk's totals or the error, handed out after the text. */
  private last: { totals: DescriptionTotals } | { error: unknown } | undefined;
  private upstreamEnded = false;
  private closed = false;
  private started = false;
  private index = 0;
  private waiting: ((result: IteratorResult<DescriptionEvent>) => void) | undefined;
  private wakeScheduled = false;

  constructor(
    private readonly prepared: PreparedDescription,
    private readonly bedrock: BedrockRuntimeClient,
    private readonly idleTimeoutMs: number,
  ) {}

  next(): Promise<IteratorResult<DescriptionEvent>> {
    if (!this.started) {
      // Like a generator, nothing is billed until the first next().
      this.started = true;
      void this.read();
    }
    const ready = this.take();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<DescriptionEvent>> {
    this.close();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<DescriptionEvent>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.text = '';
    this.last = undefined;
    this.controller.abort();
    this.wake();
  }

  /** Everything received so far as one result, or undefined when there is nothing yet. */
  private take(): IteratorResult<DescriptionEvent> | undefined {
    if (this.closed) return DONE;
    if (this.text) {
      const value: DescriptionChunk = { id: this.prepared.id, index: this.index++, text: this.text, done: false };
      this.text = '';
      return { done: false, value };
    }
    if (this.last) {
      const value = 'error' in this.last ? this.last : { ...this.last.totals, index: this.index++ };
      this.closed = true;
      return { done: false, value };
    }
    if (this.upstreamEnded) {
      this.closed = true;
      return DONE;
    }
    return undefined;
  }

  private wake() {
    const waiting = this.waiting;
    if (!waiting) return;
    const result = this.take();
    if (!result) return;
    this.waiting = undefined;
    waiting(result);
  }

  /** Wakes a waiting consumer at the end of this loop turn, with all that arrived in it. */
  private wakeSoon() {
    if (!this.waiting || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(this.wakeNow);
  }

  private readonly wakeNow = () => {
    this.wakeScheduled = false;
    this.wake();
  };

  private readonly onText = (text: string) => {
    if (this.closed) return;
    this.text += text;
    this.wakeSoon();
  };

  private async read() {
    try {
      const totals = await readDescription(this.prepared, this.bedrock, this.controller.signal, this.onText, this.idleTimeoutMs);
      if (totals && !this.closed) this.last = { totals };
    } catch (error) {
      if (!this.closed) this.last = { error };
    }
    this.upstreamEnded = true;
    this.wakeSoon();
  }
}

/** A subscription's source for one prepared description: see CoalescingDescriptionStream. */
export function describeImageEvents(
  prepared: PreparedDescription,
  bedrock: BedrockRuntimeClient,
  idleTimeoutMs = 0,
): AsyncIterableIterator<DescriptionEvent> {
  return new CoalescingDescriptionStream(prepared, bedrock, idleTimeoutMs);
}
