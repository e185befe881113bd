import type { ModelTurn } from './model-request.js';

/** One image block's worth of input: already normalised and within limits. */
export interface ImagePart {
  mediaType: string;
  bytes: Uint8Array;
}

export interface MessagesRequest {
  images: ImagePart[];
  /** The single question, when there are no turns. */
  prompt?: string;
  /** The conversation: user first, alternating; a final assistant turn is a prefill. Wins over `prompt`. */
  turns?: ModelTurn[];
  /** Put a cache point (`cache_control`) right after the images. */
  cacheImages?: boolean;
  system?: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
}

/**
 * The Anthropic Messages body that Bedrock expects for Claude: images first in
 * the first user turn, then its text, as Anthropic recommends for vision; the
 * later turns follow as plain text.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 * A cache point on the last image caches the prefix up to it (tools, system, images):
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 */
export function buildMessagesBody(request: MessagesRequest): string {
  const turns = request.turns ?? [{ role: 'user', text: request.prompt ?? '' }];
  const images = request.images.map((image, index) => ({
    type: 'image',
    source: { type: 'base64', media_type: image.mediaType, data: Buffer.from(image.bytes).toString('base64') },
    ...(request.cacheImages && index === request.images.length - 1 && { cache_control: { type: 'ephemeral' } }),
  }));
  const messages = turns.map((turn, index) => ({
    role: turn.role,
    content: index === 0 ? [...images, { type: 'text', text: turn.text }] : [{ type: 'text', text: turn.text }],
  }));
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
