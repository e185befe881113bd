import type { ApiFamily, CatalogueEntry } from '../../bedrock/catalogue/types.js';
import type { ModelRequest, TokenUsage as ModelTokenUsage } from '../../bedrock/model-request.js';
import type { VisionModelInfo } from '../../bedrock/models.js';
import type { ConversationTurnInput } from './conversation.js';

/** Tokens billed for one answer, and what they cost (null: prices unknown). */
export interface TokenUsage extends ModelTokenUsage {
  costUsd?: number | null;
}

export interface ImageInput {
  base64?: string | null;
  uploadId?: string | null;
}

export interface DescribeImageInput {
  images: ImageInput[];
  prompt?: string | null;
  system?: string | null;
  modelId?: string | null;
  maxTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  topK?: number | null;
  stopSequences?: string[] | null;
  /** Earlier turns, oldest first; the images belong to the first user turn. */
  history?: ConversationTurnInput[] | null;
  /** Text the answer must start with. */
  answerPrefix?: string | null;
}

/** What was sent for one image, reported back so a user sees what the model saw. */
export interface SentImage {
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  originalWidth: number;
  originalHeight: number;
  originalByteSize: number;
  reencoded: boolean;
}

/** A request that passed every check and is ready to bill. */
export interface PreparedDescription {
  id: string;
  model: VisionModelInfo;
  /** Its catalogue entry: API family, prices, caching. */
  entry: CatalogueEntry;
  /** What goes to the model, in no API's shape yet. */
  request: ModelRequest;
  /** The API the model is called through. */
  family: ApiFamily;
  images: SentImage[];
  /** The prefix the answer continues, as sent (the request's final assistant turn). */
  answerPrefix?: string;
  /** The images' input tokens by the model's formula. */
  imageTokens: number;
  /** The whole input by the formula: images plus ~4 characters a token of text. */
  inputTokensEstimate: number;
}

export interface DescriptionChunk {
  id: string;
  index: number;
  text: string;
  done: boolean;
  stopReason?: string;
  usage?: TokenUsage;
  modelId?: string;
  latencyMs?: number;
  firstTokenMs?: number | null;
  images?: SentImage[];
  /** On the final chunk: the prefix this answer continued. */
  answerPrefix?: string;
  /** On the final chunk: the whole answer. */
  description?: Description;
}

export interface Description {
  id: string;
  text: string;
  modelId: string;
  stopReason: string;
  usage: TokenUsage;
  latencyMs: number;
  images: SentImage[];
  /** The prefix this answer continued; `text` holds only what the model wrote after it. */
  answerPrefix?: string;
}

/** The last chunk of a description, before it is numbered. */
export type DescriptionTotals = Omit<DescriptionChunk, 'index'>;

/** An item of a subscription: a chunk, or the error that ends the stream after the chunks already sent. */
export type DescriptionEvent = DescriptionChunk | { error: unknown };
