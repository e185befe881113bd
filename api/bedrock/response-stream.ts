import type { ResponseStream } from '@aws-sdk/client-bedrock-runtime';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export type ModelStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; stopReason: string; usage: TokenUsage };

interface AnthropicStreamEvent {
  type: string;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number; input_tokens?: number };
  'amazon-bedrock-invocationMetrics'?: { inputTokenCount?: number; outputTokenCount?: number };
}

const decoder = new TextDecoder();

function isHighSurrogate(code: number) {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Turns Bedrock's chunk events (each the bytes of one Anthropic stream event)
 * into text deltas and one final `done`. Every delta is yielded as soon as it
 * is decoded. A delta that ends inside a UTF-16 surrogate pair keeps its last
 * half back until the next one, so no chunk carries half an emoji.
 * Bedrock exceptions inside the stream are thrown by the SDK's iterator.
 */
export async function* decodeAnthropicStream(body: AsyncIterable<ResponseStream>): AsyncGenerator<ModelStreamEvent> {
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  let stopReason = 'unknown';
  let pending = '';
  for await (const part of body) {
    const bytes = part.chunk?.bytes;
    if (!bytes) continue;
    const event = JSON.parse(decoder.decode(bytes)) as AnthropicStreamEvent;
    switch (event.type) {
      case 'message_start':
        usage.inputTokens = event.message?.usage?.input_tokens ?? usage.inputTokens;
        usage.outputTokens = event.message?.usage?.output_tokens ?? usage.outputTokens;
        break;
      case 'content_block_delta': {
        if (event.delta?.type !== 'text_delta' || !event.delta.text) break;
        let text = pending + event.delta.text;
        pending = '';
        if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text) yield { type: 'text', text };
        break;
      }
      case 'message_delta':
        stopReason = event.delta?.stop_reason ?? stopReason;
        usage.outputTokens = event.usage?.output_tokens ?? usage.outputTokens;
        break;
      case 'message_stop': {
        // Bedrock's own count is what is billed: prefer it when present.
        const metrics = event['amazon-bedrock-invocationMetrics'];
        usage.inputTokens = metrics?.inputTokenCount ?? usage.inputTokens;
        usage.outputTokens = metrics?.outputTokenCount ?? usage.outputTokens;
        break;
      }
    }
  }
  if (pending) yield { type: 'text', text: pending };
  yield { type: 'done', stopReason, usage };
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
