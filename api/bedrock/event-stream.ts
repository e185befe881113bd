import { crc32 } from 'node:zlib';

/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const MIN_MESSAGE_BYTES = 16;
/** The event-stream format's limit for one message. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The headers this reader acts on; all others are skipped without being read. */
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

/**
 * The upstream sent bytes that are not a valid event stream or not the JSON
 * its API documents: a fault of the upstream, not of the gateway.
 */
export class MalformedStreamError extends Error {
  override readonly name = 'MalformedStreamError';
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
 * only the values this reader uses become strings.
 */
function readMessage(bytes: Buffer): { headers: MessageHeaders; payload: Buffer } {
  const length = bytes.readUInt32BE(0);
  const headersLength = bytes.readUInt32BE(4);
  const preludeCrc = crc32(bytes.subarray(0, 8));
  if (bytes.readUInt32BE(8) !== preludeCrc) throw new MalformedStreamError('Malformed event stream: prelude checksum mismatch.');
  // The message CRC covers the prelude too: continue from the prelude's.
  if (bytes.readUInt32BE(length - 4) !== crc32(bytes.subarray(8, length - 4), preludeCrc)) {
    throw new MalformedStreamError('Malformed event stream: message checksum mismatch.');
  }
  const headers: MessageHeaders = {};
  const end = 12 + headersLength;
  if (end > length - 4) throw new MalformedStreamError('Malformed event stream: headers overrun the message.');
  let at = 12;
  while (at < end) {
    const nameLength = bytes[at]!;
    const name = wantedHeader(bytes, at + 1, nameLength);
    const type = bytes[at + 1 + nameLength]!;
    at += 2 + nameLength;
    let size = HEADER_VALUE_BYTES[type];
    if (size === undefined) throw new MalformedStreamError(`Malformed event stream: header type ${type}.`);
    if (size < 0) {
      size = bytes.readUInt16BE(at);
      at += 2;
      if (name && type === STRING_HEADER) headers[name] = bytes.toString('utf8', at, at + size);
    }
    at += size;
  }
  return { headers, payload: bytes.subarray(end, length - 4) };
}

/** Parses an event's JSON payload; a payload that is not JSON is the upstream's fault. */
export function parsePayload<T>(payload: Buffer | string): T {
  try {
    return JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as T;
  } catch {
    throw new MalformedStreamError('Malformed event stream: an event payload is not JSON.');
  }
}

/**
 * The framing of one event-stream body, whatever API it carries: each `event`
 * message goes to `onEvent` with its `:event-type` and payload; an
 * `exception` or `error` message is thrown as a BedrockStreamException.
 *
 * It works on the raw bytes of each read, synchronously: a read holding many
 * messages is decoded in one pass, and each message is a view into the read,
 * not a copy (only a message split across two reads is copied). The SDK's own
 * reader copies every message twice and goes through several async
 * generators per event (issue #5: that was most of the relay's CPU).
 */
export class EventStreamReader {
  /** Request id of the response, for errors. */
  requestId: string | undefined;
  private carry: Uint8Array | undefined;

  constructor(private readonly onEvent: (eventType: string, payload: Buffer) => void) {}

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
        throw new MalformedStreamError(`Malformed event stream: a message of ${length} bytes.`);
      }
      if (data.length - offset < length) break;
      this.message(data.subarray(offset, offset + length));
      offset += length;
    }
    // Copied: the rest of this read must not keep the whole read alive.
    if (offset < data.length) this.carry = Buffer.from(data.subarray(offset));
  }

  /** Call at the end of the body: throws if a message was cut short. */
  end(): void {
    if (this.carry) throw new MalformedStreamError('Truncated event stream: the body ended inside a message.');
  }

  private message(bytes: Buffer) {
    const { headers, payload } = readMessage(bytes);
    const messageType = headers[':message-type'];
    if (messageType === 'event') {
      this.onEvent(headers[':event-type'] ?? '', payload);
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
}

function isHighSurrogate(code: number) {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Hands text deltas on as they come, except that a delta ending inside a
 * UTF-16 surrogate pair keeps its last half back until the next one, so no
 * text carries half an emoji.
 */
export class TextRelay {
  private heldBack = '';

  constructor(private readonly onText: (text: string) => void) {}

  push(delta: string): void {
    if (!delta) return;
    let text = this.heldBack + delta;
    this.heldBack = '';
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.heldBack = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text) this.onText(text);
  }

  /** Hands over anything held back. */
  end(): void {
    if (this.heldBack) this.onText(this.heldBack);
    this.heldBack = '';
  }
}
