import type { ImageFormat } from '../images/sniff.js';

/** One image as it goes to the model: already checked and fitted. */
export interface ModelImage {
  format: ImageFormat;
  mediaType: string;
  bytes: Uint8Array;
}

export interface ModelTurn {
  role: 'user' | 'assistant';
  text: string;
}

/**
 * A provider-neutral request: what every API adapter turns into its own body.
 * The images belong to the first user turn, before its text; `turns` alternate,
 * start with the user, and end with the new question, or with an assistant
 * turn the answer must continue (prefill).
 */
export interface ModelRequest {
  /** The id sent upstream: a base model id, an inference-profile id or ARN. */
  modelId: string;
  /**
   * The base model behind `modelId`, where known: an application inference
   * profile's ARN does not name its provider, which picks provider-specific
   * fields (topK through Converse). @default modelId
   */
  baseModelId?: string;
  images: ModelImage[];
  turns: ModelTurn[];
  system?: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  /** Put a prompt-cache point right after the images. */
  cacheImages?: boolean;
}

/** Tokens billed for one call, as Bedrock counted them. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** The largest count a GraphQL Int carries. */
const MAX_TOKEN_COUNT = 2 ** 31 - 1;

/**
 * A token count as Bedrock reported it, or undefined when it is not a whole
 * number from 0 up (missing, null, text, negative, fractional): usage is
 * priced, summed into counters that cannot go down, and sent as an Int, so a
 * bad count is dropped here rather than turning a cost negative or failing
 * the answer that carries it.
 */
export function tokenCount(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TOKEN_COUNT ? (value as number) : undefined;
}

/** What every adapter reports at the end of a call. */
export interface ModelResult {
  stopReason: string;
  usage: TokenUsage;
  /** Bedrock's request id, for the log. */
  requestId?: string;
}
