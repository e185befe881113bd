import { finished, Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

interface AnthropicStreamEvent {
  type: string;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number; input_tokens?: number };
  'amazon-bedrock-invocationMetrics'?: { inputTokenCount?: number; outputTokenCount?: number };
}

const decoder = new TextDecoder();

/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const MIN_MESSAGE_BYTES = 16;
/** The event-stream format's limit for one message. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The headers this decoder acts on; all others are skipped without being read. */
interface MessageHeaders {
  ':message-type'?: string;
  ':event-type'?: string;
  ':exception-type'?: string;
  ':error-code'?: string;
  ':error-message'?: string;
}
const WANTED_HEADERS = [':message-type', ':event-type', ':exception-type', ':error-code', ':error-message'] as const;

/** Bytes taken by a header value of each type after its type byte (-1: length-prefixed). */
const HEADER_VALUE_BYTES = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];
const STRING_HEADER = 7;

/** Which of WANTED_HEADERS the name at bytes[at, at + length) is, compared in place (no string made). */
function wantedHeader(bytes: Buffer, at: number, length: number): (typeof WANTED_HEADERS)[number] | undefined {
  search: for (const name of WANTED_HEADERS) {
    if (name.length !== length) continue;
    for (let i = 0; i < length; i++) if (bytes[at + i] !== name.charCodeAt(i)) continue search;
    return name;
  }
  return undefined;
}

/**
 * One event-stream message (https://smithy.io/2.0/aws/amazon-eventstream.html):
 * both CRCs checked, the wanted string headers read, the payload a view into
 * `bytes`. Written out rather than using @smithy/eventstream-codec, whose
 * decode builds an object per header (Int64s, copies) for every message: with
 * one message per text delta, that was the largest cost left in the relay
 * (issue #5). For the same reason header names are compared as bytes and
 * only the values this decoder uses become strings.
 */
function readMessage(bytes: Buffer): { headers: MessageHeaders; payload: Buffer } {
  const length = bytes.readUInt32BE(0);
  const headersLength = bytes.readUInt32BE(4);
  const preludeCrc = crc32(bytes.subarray(0, 8));
  if (bytes.readUInt32BE(8) !== preludeCrc) throw new Error('Malformed event stream: prelude checksum mismatch.');
  // The message CRC covers the prelude too: continue from the prelude's.
  if (bytes.readUInt32BE(length - 4) !== crc32(bytes.subarray(8, length - 4), preludeCrc)) {
    throw new Error('Malformed event stream: message checksum mismatch.');
  }
  const headers: MessageHeaders = {};
  const end = 12 + headersLength;
  if (end > length - 4) throw new Error('Malformed event stream: headers overrun the message.');
  let at = 12;
  while (at < end) {
    const nameLength = bytes[at]!;
    const name = wantedHeader(bytes, at + 1, nameLength);
    const type = bytes[at + 1 + nameLength]!;
    at += 2 + nameLength;
    let size = HEADER_VALUE_BYTES[type];
    if (size === undefined) throw new Error(`Malformed event stream: header type ${type}.`);
    if (size < 0) {
      size = bytes.readUInt16BE(at);
      at += 2;
      if (name && type === STRING_HEADER) headers[name] = bytes.toString('utf8', at, at + size);
    }
    at += size;
  }
  return { headers, payload: bytes.subarray(end, length - 4) };
}

function isHighSurrogate(code: number) {
  return code >= 0xd800 && code <= 0xdbff;
}

/** An exception Bedrock sent inside a stream, shaped like the SDK's service exceptions for mapBedrockError. */
export class BedrockStreamException extends Error {
  readonly $metadata: { httpStatusCode: number; requestId?: string };

  constructor(exceptionType: string, message: string, requestId?: string) {
    super(message);
    // The SDK names them after the union member: modelStreamErrorException → ModelStreamErrorException.
    this.name = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1);
    this.$metadata = { httpStatusCode: 200, requestId };
  }
}

/**
 * Decodes one InvokeModelWithResponseStream body as it arrives: AWS
 * event-stream messages (https://smithy.io/2.0/aws/amazon-eventstream.html),
 * each `chunk` event carrying an Anthropic stream event as base64 JSON.
 *
 * It works on the raw bytes of each read, synchronously: a read holding many
 * messages is decoded in one pass, and each message is a view into the read,
 * not a copy (only a message split across two reads is copied). The SDK's own
 * reader copies every message twice and goes through several async
 * generators per event (issue #5: that was most of the relay's CPU).
 *
 * Each text delta goes to `onText` as soon as its message is decoded. A delta
 * that ends inside a UTF-16 surrogate pair keeps its last half back until the
 * next one, so no text carries half an emoji. A Bedrock exception inside the
 * stream is thrown from write(), after the text before it was handed over.
 */
export class AnthropicStreamDecoder {
  readonly usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  stopReason = 'unknown';
  /** Request id of the response, for errors. */
  requestId: string | undefined;
  private heldBack = '';
  private carry: Uint8Array | undefined;

  constructor(private readonly onText: (text: string) => void) {}

  /** Decodes every whole message in `bytes` (after any part left from the previous read). */
  write(bytes: Uint8Array): void {
    let data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.carry) {
      data = Buffer.concat([this.carry, data]);
      this.carry = undefined;
    }
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = data.readUInt32BE(offset);
      if (length < MIN_MESSAGE_BYTES || length > MAX_MESSAGE_BYTES) {
        throw new Error(`Malformed event stream: a message of ${length} bytes.`);
      }
      if (data.length - offset < length) break;
      this.message(data.subarray(offset, offset + length));
      offset += length;
    }
    // Copied: the rest of this read must not keep the whole read alive.
    if (offset < data.length) this.carry = Buffer.from(data.subarray(offset));
  }

  /** Call at the end of the body: hands over held-back text; throws if a message was cut short. */
  end(): void {
    if (this.carry) throw new Error('Truncated event stream: the body ended inside a message.');
    if (this.heldBack) this.onText(this.heldBack);
    this.heldBack = '';
  }

  private message(bytes: Buffer) {
    const { headers, payload } = readMessage(bytes);
    const messageType = headers[':message-type'];
    if (messageType === 'event') {
      if (headers[':event-type'] !== 'chunk') return;
      // A PayloadPart: {"bytes": "<base64 of the Anthropic event>"} (Bedrock may add a padding member).
      const part = JSON.parse(payload.toString('utf8')) as { bytes?: string };
      if (part.bytes) this.anthropicEvent(Buffer.from(part.bytes, 'base64').toString('utf8'));
    } else if (messageType === 'exception') {
      const exceptionType = headers[':exception-type'] ?? 'UnknownException';
      let message = exceptionType;
      try {
        message = (JSON.parse(payload.toString('utf8')) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the exception type as the message
      }
      throw new BedrockStreamException(exceptionType, message, this.requestId);
    } else if (messageType === 'error') {
      throw new BedrockStreamException(headers[':error-code'] ?? 'UnknownError', headers[':error-message'] ?? 'UnknownError', this.requestId);
    }
  }

  private anthropicEvent(json: string) {
    const event = JSON.parse(json) as AnthropicStreamEvent;
    switch (event.type) {
      case 'content_block_delta': {
        if (event.delta?.type !== 'text_delta' || !event.delta.text) break;
        let text = this.heldBack + event.delta.text;
        this.heldBack = '';
        if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
          this.heldBack = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text) this.onText(text);
        break;
      }
      case 'message_start':
        this.usage.inputTokens = event.message?.usage?.input_tokens ?? this.usage.inputTokens;
        this.usage.outputTokens = event.message?.usage?.output_tokens ?? this.usage.outputTokens;
        break;
      case 'message_delta':
        this.stopReason = event.delta?.stop_reason ?? this.stopReason;
        this.usage.outputTokens = event.usage?.output_tokens ?? this.usage.outputTokens;
        break;
      case 'message_stop': {
        // Bedrock's own count is what is billed: prefer it when present.
        const metrics = event['amazon-bedrock-invocationMetrics'];
        this.usage.inputTokens = metrics?.inputTokenCount ?? this.usage.inputTokens;
        this.usage.outputTokens = metrics?.outputTokenCount ?? this.usage.outputTokens;
        break;
      }
    }
  }
}

/**
 * Calls `onChunk` with each chunk of `body` until it ends; rejects when it
 * fails, is cut short, or `onChunk` throws (the body is then destroyed).
 * A Node stream is read through 'data' events: one synchronous call per
 * read, where an async iterator costs a promise per read, and with one
 * read per text delta that shows (issue #5).
 */
export function readBody(body: AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  if (!(body instanceof Readable)) {
    return (async () => {
      for await (const chunk of body) onChunk(chunk);
    })();
  }
  return new Promise((resolve, reject) => {
    const onData = (chunk: Uint8Array) => {
      try {
        onChunk(chunk);
      } catch (error) {
        body.off('data', onData);
        body.destroy();
        reject(error);
      }
    };
    body.on('data', onData);
    finished(body, (error) => (error ? reject(error) : resolve()));
  });
}

/** The raw body of a successful response, taken by takeEventStreamBody. */
export interface RawEventStream {
  body?: AsyncIterable<Uint8Array>;
  requestId?: string;
}

/**
 * Adds a step to `command` that takes the raw event-stream body of a
 * successful (200) response before the SDK wraps it, for
 * AnthropicStreamDecoder; the SDK's reader gets an empty body instead. Every
 * other part stays the SDK's: signing, retries before the stream, and the
 * typed errors of a refused request, whose body is left alone.
 * The step runs inside the SDK's deserializer ('deserialize' step, low
 * priority), so it sees the response as the HTTP handler returned it.
 */
export function takeEventStreamBody(command: InvokeModelWithResponseStreamCommand): RawEventStream {
  const taken: RawEventStream = {};
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string>; body?: unknown };
      if (response.statusCode === 200 && response.body) {
        taken.body = response.body as AsyncIterable<Uint8Array>;
        taken.requestId = response.headers?.['x-amzn-requestid'];
        response.body = Readable.from([]);
      }
      return result;
    },
    { step: 'deserialize', name: 'takeEventStreamBody', priority: 'low' },
  );
  return taken;
}

interface AnthropicMessage {
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

/** The text, stop reason and usage of a whole (non-streamed) Messages response. */
export function decodeAnthropicMessage(body: Uint8Array): { text: string; stopReason: string; usage: TokenUsage } {
  const message = JSON.parse(decoder.decode(body)) as AnthropicMessage;
  return {
    text: (message.content ?? []).map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join(''),
    stopReason: message.stop_reason ?? 'unknown',
    usage: { inputTokens: message.usage?.input_tokens ?? 0, outputTokens: message.usage?.output_tokens ?? 0 },
  };
}
