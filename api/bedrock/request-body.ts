/** One image block's worth of input: already normalised and within limits. */
export interface ImagePart {
  mediaType: string;
  bytes: Uint8Array;
}

export interface MessagesRequest {
  images: ImagePart[];
  prompt: string;
  system?: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
}

/**
 * The Anthropic Messages body that Bedrock expects for Claude: images first,
 * then the text prompt, as Anthropic recommends for vision.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 */
export function buildMessagesBody(request: MessagesRequest): string {
  const content = [
    ...request.images.map((image) => ({
      type: 'image',
      source: { type: 'base64', media_type: image.mediaType, data: Buffer.from(image.bytes).toString('base64') },
    })),
    { type: 'text', text: request.prompt },
  ];
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: request.maxTokens,
    ...(request.system !== undefined && { system: request.system }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.topK !== undefined && { top_k: request.topK }),
    ...(request.stopSequences !== undefined && { stop_sequences: request.stopSequences }),
    messages: [{ role: 'user', content }],
  });
}
