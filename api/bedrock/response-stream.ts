/**
 * The pieces the describe service still assembles itself; they moved to the
 * client (model-client.ts) and its adapters, and this file goes once the
 * service calls the client.
 */
export { AnthropicStreamDecoder, decodeAnthropicMessage } from './adapters/anthropic-messages.js';
export { BedrockStreamException } from './event-stream.js';
export type { TokenUsage } from './model-request.js';
export { readBody, takeEventStreamBody, type RawEventStream } from './raw-body.js';
