import { EventStreamReader, TextRelay } from '../event-stream.js';
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

/**
 * The part every API family's decoder shares: the one-pass event-stream
 * reader, request id, and text relay (no half surrogate pairs). A subclass
 * reads its own events and sets usage and stop reason.
 */
export abstract class EventStreamDecoder implements StreamDecoder {
  usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  stopReason = 'unknown';
  protected readonly text: TextRelay;
  private readonly reader = new EventStreamReader((eventType, payload) => this.event(eventType, payload));

  constructor(onText: (text: string) => void) {
    this.text = new TextRelay(onText);
  }

  get requestId(): string | undefined {
    return this.reader.requestId;
  }
  set requestId(id: string | undefined) {
    this.reader.requestId = id;
  }

  write(bytes: Uint8Array): void {
    this.reader.write(bytes);
  }

  end(): void {
    this.reader.end();
    this.text.end();
  }

  /** One event of the stream (exceptions inside the stream are thrown by the reader). */
  protected abstract event(eventType: string, payload: Buffer): void;
}
