import type { ModelResult, TokenUsage } from '../model-request.js';

/** What a streamed call reports beyond ModelResult. */
export interface StreamResult extends ModelResult {
  /** Bedrock's own latency for the call, where the API reports it (Converse metrics.latencyMs). */
  upstreamLatencyMs?: number;
}

/**
 * Turns the raw bytes of one response stream into text (handed to the
 * caller's onText as it is decoded), a stop reason and usage. write() runs
 * synchronously on each read and throws a BedrockStreamException for an
 * exception inside the stream, or a MalformedStreamError.
 */
export interface StreamDecoder {
  requestId: string | undefined;
  readonly usage: TokenUsage;
  readonly stopReason: string;
  readonly upstreamLatencyMs?: number;
  write(bytes: Uint8Array): void;
  /** Call at the end of the body: hands over held-back text; throws if a message was cut short. */
  end(): void;
}
