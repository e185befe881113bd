import type { ContentBlock, ConverseCommandOutput, ConverseStreamCommandInput, Message } from '@aws-sdk/client-bedrock-runtime';
import { ErrorCode, gatewayError } from '../../errors.js';
import { parsePayload } from '../event-stream.js';
import { tokenCount, type ModelRequest, type TokenUsage } from '../model-request.js';
import { EventStreamDecoder } from './stream-decoder.js';

/** The JSON document type of additionalModelRequestFields. */
type DocumentType = NonNullable<ConverseStreamCommandInput['additionalModelRequestFields']>;

/**
 * The Converse family: Bedrock's provider-neutral Converse / ConverseStream.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */

/**
 * topK is not one of Converse's inferenceConfig fields: each provider takes it
 * under its own name in additionalModelRequestFields.
 * - Anthropic: `top_k` (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html)
 * - Amazon Nova: `inferenceConfig.topK` (https://docs.aws.amazon.com/nova/latest/nova2-userguide/core-inference.html)
 */
const TOP_K_FIELDS: Record<string, (topK: number) => DocumentType> = {
  anthropic: (topK) => ({ top_k: topK }),
  amazon: (topK) => ({ inferenceConfig: { topK } }),
  // The embedded endpoint's own model reads it like Claude.
  local: (topK) => ({ top_k: topK }),
};

/**
 * The provider part of a model id, inference-profile id or ARN:
 * `us.anthropic.claude-…` and `arn:…:inference-profile/eu.amazon.nova-…` give
 * `anthropic` and `amazon`.
 */
export function providerOf(modelId: string): string | undefined {
  const id = modelId.slice(modelId.lastIndexOf('/') + 1);
  return id.split('.').find((part) => part in TOP_K_FIELDS);
}

/** The ConverseStream (and Converse: same fields) input for `request`. */
export function buildConverseInput(request: ModelRequest): ConverseStreamCommandInput {
  let additionalModelRequestFields: DocumentType | undefined;
  if (request.topK !== undefined) {
    const field = TOP_K_FIELDS[providerOf(request.baseModelId ?? request.modelId) ?? ''];
    // The catalogue's parameter rules refuse topK for such models before any call; this is the last guard.
    if (!field) throw gatewayError(ErrorCode.BAD_USER_INPUT, 'topK is not supported for this model through Converse.');
    additionalModelRequestFields = field(request.topK);
  }
  const messages: Message[] = request.turns.map((turn, index) => {
    const content: ContentBlock[] = [];
    if (index === 0) {
      for (const image of request.images) content.push({ image: { format: image.format, source: { bytes: image.bytes } } });
      if (request.cacheImages && request.images.length > 0) content.push({ cachePoint: { type: 'default' } });
    }
    content.push({ text: turn.text });
    return { role: turn.role, content };
  });
  const inferenceConfig = {
    maxTokens: request.maxTokens,
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { topP: request.topP }),
    ...(request.stopSequences !== undefined && { stopSequences: request.stopSequences }),
  };
  return {
    modelId: request.modelId,
    messages,
    ...(request.system !== undefined && { system: [{ text: request.system }] }),
    inferenceConfig,
    ...(additionalModelRequestFields && { additionalModelRequestFields }),
  };
}

interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

function toUsage(from: ConverseUsage | undefined): TokenUsage {
  const cacheRead = tokenCount(from?.cacheReadInputTokens);
  const cacheWrite = tokenCount(from?.cacheWriteInputTokens);
  return {
    inputTokens: tokenCount(from?.inputTokens) ?? 0,
    outputTokens: tokenCount(from?.outputTokens) ?? 0,
    ...(cacheRead !== undefined && { cacheReadInputTokens: cacheRead }),
    ...(cacheWrite !== undefined && { cacheWriteInputTokens: cacheWrite }),
  };
}

/**
 * Decodes one ConverseStream body as it arrives. Each event's payload is the
 * ConverseStreamOutput member as JSON
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html):
 * `contentBlockDelta` {delta: {text}}, `messageStop` {stopReason},
 * `metadata` {usage, metrics: {latencyMs}}; messageStart, contentBlockStart
 * and contentBlockStop carry nothing this needs.
 */
export class ConverseStreamDecoder extends EventStreamDecoder {
  upstreamLatencyMs: number | undefined;

  protected event(eventType: string, payload: Buffer): void {
    switch (eventType) {
      case 'contentBlockDelta': {
        const event = parsePayload<{ delta?: { text?: string } }>(payload);
        if (event.delta?.text) this.text.push(event.delta.text);
        break;
      }
      case 'messageStop':
        this.stopReason = parsePayload<{ stopReason?: string }>(payload).stopReason ?? this.stopReason;
        break;
      case 'metadata': {
        const event = parsePayload<{ usage?: ConverseUsage; metrics?: { latencyMs?: number } }>(payload);
        this.usage = toUsage(event.usage);
        this.upstreamLatencyMs = event.metrics?.latencyMs;
        break;
      }
    }
  }
}

/** The text, stop reason and usage of a whole Converse response (deserialised by the SDK). */
export function decodeConverseOutput(output: ConverseCommandOutput): { text: string; stopReason: string; usage: TokenUsage; upstreamLatencyMs?: number } {
  const content = output.output?.message?.content ?? [];
  return {
    text: content.map((block) => block.text ?? '').join(''),
    stopReason: output.stopReason ?? 'unknown',
    usage: toUsage(output.usage),
    upstreamLatencyMs: output.metrics?.latencyMs,
  };
}
