import type { ImageFormat } from '../../images/sniff.js';

/** How a model is called on Bedrock: which request body and which runtime operations. */
export type ApiFamily =
  /** Anthropic Messages body through InvokeModel / InvokeModelWithResponseStream. */
  | 'anthropic-messages'
  /** Bedrock's provider-neutral Converse / ConverseStream. */
  | 'converse';

/** Where a model is in its life on Bedrock (AWS "Model lifecycle"). */
export interface ModelLifecycle {
  status: 'active' | 'legacy' | 'end-of-life';
  /** ISO date the model became legacy, when known. */
  legacySince?: string;
  /** ISO date after which Bedrock no longer serves it. */
  endOfLife?: string;
  /** AWS's recommended replacement (a catalogue id). */
  replacement?: string;
}

/** How many input tokens an image costs, per the provider's published formula. */
export type ImageTokenFormula =
  /** ceil(width × height / pixelsPerToken), e.g. Claude: 750. */
  | { kind: 'pixels'; pixelsPerToken: number }
  /** A fixed number of tokens per image after fitting (models that tile or resize to a fixed size). */
  | { kind: 'fixed'; tokensPerImage: number };

export interface ImageLimits {
  /** Images per request. */
  maxCount: number;
  /** Bytes per image as sent. */
  maxBytes: number;
  /** Largest width or height accepted, in pixels. */
  maxDimension: number;
  formats: ImageFormat[];
  /** Long edge worth sending: larger images are downscaled to it (the model would anyway). */
  longEdge: number;
  tokenFormula: ImageTokenFormula;
}

export interface NumberRange {
  min: number;
  max: number;
}

export interface ParameterRules {
  temperature: NumberRange;
  /** null: the model has no topP. */
  topP: NumberRange | null;
  /** null: the model has no topK (Converse sends it through additionalModelRequestFields where it exists). */
  topK: NumberRange | null;
  maxStopSequences: number;
  /** Parameters the model refuses to take together, e.g. [['temperature', 'topP']]. */
  exclusive: (readonly ['temperature' | 'topP' | 'topK', 'temperature' | 'topP' | 'topK'])[];
}

/** USD per million tokens, on-demand, in the region named by the source. */
export interface Prices {
  input: number;
  output: number;
  /** Prompt-cache read, where the model caches. */
  cacheRead?: number;
  /** Prompt-cache write, where the model caches. */
  cacheWrite?: number;
}

export interface PromptCaching {
  /** Fewest tokens a cached prefix must hold for a cache point to take effect. */
  minTokens: number;
}

/** Where a fact came from: the page and the date it was read. */
export interface Source {
  url: string;
  read: string;
  /** What this page backs (ids, prices, limits...). */
  covers?: string;
}

/** One vision model the gateway knows, with every fact checked before a billed call. */
export interface CatalogueEntry {
  /** Bedrock base model id, e.g. anthropic.claude-haiku-4-5-20251001-v1:0 */
  id: string;
  name: string;
  provider: string;
  /** The API family used for this model by default. */
  apiFamily: ApiFamily;
  /** Every family the model can be called through. */
  apiFamilies: ApiFamily[];
  /** Geography prefixes of its system inference profiles, e.g. ['us', 'eu', 'apac', 'global']. */
  inferenceProfilePrefixes: string[];
  /** True when on-demand calls need an inference profile id (not the base id). */
  requiresInferenceProfile: boolean;
  images: ImageLimits;
  maxOutputTokens: number;
  parameters: ParameterRules;
  prices: Prices;
  /** null: no prompt caching on Bedrock for this model. */
  promptCaching: PromptCaching | null;
  /** Bedrock's CountTokens supports it. */
  countTokens: boolean;
  /** The model continues a final assistant turn (an answer prefix); Claude 4.6 and later refuse one. */
  assistantPrefill: boolean;
  lifecycle: ModelLifecycle;
  sources: Source[];
  /** The embedded offline model. */
  local?: boolean;
  /** Not in the catalogue: built with conservative limits (see `conservativeEntry`); prices are NaN (unknown). */
  conservative?: boolean;
  description: string;
}
