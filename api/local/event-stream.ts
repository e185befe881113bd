import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

// The SDK's own codec, so the framing (prelude, CRCs, headers) is exactly what
// the SDK decodes from real Bedrock.
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function header(value: string) {
  return { type: 'string' as const, value };
}

/**
 * One `chunk` event as Bedrock sends it: the Anthropic stream event, as JSON,
 * base64-encoded in `bytes`.
 */
export function encodeChunkEvent(anthropicEvent: object): Uint8Array {
  return encodeRawChunk(JSON.stringify(anthropicEvent));
}

/** A chunk event carrying any text as its payload, valid JSON or not. */
export function encodeRawChunk(payload: string): Uint8Array {
  const bytes = Buffer.from(payload).toString('base64');
  return codec.encode({
    headers: {
      ':message-type': header('event'),
      ':event-type': header('chunk'),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(JSON.stringify({ bytes })),
  });
}

/**
 * An exception inside the stream, e.g. `modelStreamErrorException` or
 * `throttlingException` (the camel-cased member names of ResponseStream).
 */
export function encodeExceptionEvent(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header('exception'),
      ':exception-type': header(exceptionType),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/**
 * One ConverseStream event: the ConverseStreamOutput member's name as
 * `:event-type`, its value as the JSON payload, e.g.
 * `contentBlockDelta` {contentBlockIndex: 0, delta: {text}}.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 */
export function encodeConverseEvent(eventType: string, event: object): Uint8Array {
  return encodeRawEvent(eventType, JSON.stringify(event));
}

/** An event of any type carrying any text as its payload, valid JSON or not. */
export function encodeRawEvent(eventType: string, payload: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header('event'),
      ':event-type': header(eventType),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(payload),
  });
}
