import { MalformedStreamError, parsePayload } from '../event-stream.js';
import { tokenCount, type ModelRequest, type TokenUsage } from '../model-request.js';
import { EventStreamDecoder } from './stream-decoder.js';

/**
 * The Anthropic Messages family: the body Bedrock expects for Claude through
 * InvokeModel / InvokeModelWithResponseStream, and its stream events.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 */

type ContentBlock =
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string }; cache_control?: { type: 'ephemeral' } }
  | { type: 'text'; text: string };

/**
 * Images first, then the text, in the first user turn, as Anthropic
 * recommends for vision; a cache point marks the last image, so the images
 * (and the system prompt before them) are the cached prefix.
 */
export function buildMessagesBody(request: ModelRequest): string {
  const messages = request.turns.map((turn, index) => {
    const content: ContentBlock[] = [];
    if (index === 0) {
      for (const image of request.images) {
        content.push({
          type: 'image',
          source: { type: 'base64', media_type: image.mediaType, data: Buffer.from(image.bytes).toString('base64') },
        });
      }
      const last = content.at(-1);
      if (request.cacheImages && last?.type === 'image') last.cache_control = { type: 'ephemeral' };
    }
    content.push({ type: 'text', text: turn.text });
    return { role: turn.role, content };
  });
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: request.maxTokens,
    ...(request.system !== undefined && { system: request.system }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.topK !== undefined && { top_k: request.topK }),
    ...(request.stopSequences !== undefined && { stop_sequences: request.stopSequences }),
    messages,
  });
}

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

interface AnthropicStreamEvent {
  type: string;
  message?: { usage?: AnthropicUsage };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  'amazon-bedrock-invocationMetrics'?: {
    inputTokenCount?: number;
    outputTokenCount?: number;
    cacheReadInputTokenCount?: number;
    cacheWriteInputTokenCount?: number;
  };
}

function applyUsage(usage: TokenUsage, from: AnthropicUsage | undefined) {
  if (!from) return;
  usage.inputTokens = tokenCount(from.input_tokens) ?? usage.inputTokens;
  usage.outputTokens = tokenCount(from.output_tokens) ?? usage.outputTokens;
  const cacheRead = tokenCount(from.cache_read_input_tokens);
  const cacheWrite = tokenCount(from.cache_creation_input_tokens);
  if (cacheRead !== undefined) usage.cacheReadInputTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteInputTokens = cacheWrite;
}

/**
 * Decodes one InvokeModelWithResponseStream body as it arrives: each `chunk`
 * event carries an Anthropic stream event as base64 JSON. Each text delta
 * goes to `onText` as soon as its message is decoded; a Bedrock exception
 * inside the stream is thrown from write(), after the text before it.
 */
export class AnthropicStreamDecoder extends EventStreamDecoder {
  protected event(eventType: string, payload: Buffer): void {
    if (eventType !== 'chunk') return;
    // A PayloadPart: {"bytes": "<base64 of the Anthropic event>"} (Bedrock may add a padding member).
    const part = parsePayload<{ bytes?: string }>(payload);
    if (!part.bytes) return;
    const event = parsePayload<AnthropicStreamEvent>(Buffer.from(part.bytes, 'base64').toString('utf8'));
    switch (event.type) {
      case 'content_block_delta':
        if (event.delta?.type === 'text_delta' && event.delta.text) this.text.push(event.delta.text);
        break;
      case 'message_start':
        applyUsage(this.usage, event.message?.usage);
        break;
      case 'message_delta':
        this.stopReason = event.delta?.stop_reason ?? this.stopReason;
        this.usage.outputTokens = tokenCount(event.usage?.output_tokens) ?? this.usage.outputTokens;
        break;
      case 'message_stop': {
        // Bedrock's own count is what is billed: prefer it when present.
        const metrics = event['amazon-bedrock-invocationMetrics'];
        applyUsage(this.usage, {
          input_tokens: metrics?.inputTokenCount,
          output_tokens: metrics?.outputTokenCount,
          cache_read_input_tokens: metrics?.cacheReadInputTokenCount,
          cache_creation_input_tokens: metrics?.cacheWriteInputTokenCount,
        });
        break;
      }
    }
  }
}

interface AnthropicMessage {
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** The text, stop reason and usage of a whole (non-streamed) Messages response. */
export function decodeAnthropicMessage(body: Uint8Array): { text: string; stopReason: string; usage: TokenUsage } {
  let message: AnthropicMessage;
  try {
    message = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as AnthropicMessage;
  } catch {
    throw new MalformedStreamError('Malformed response: the Messages body is not JSON.');
  }
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  applyUsage(usage, message.usage);
  return {
    text: (message.content ?? []).map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join(''),
    stopReason: message.stop_reason ?? 'unknown',
    usage,
  };
}
