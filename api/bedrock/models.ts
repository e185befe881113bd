import { CATALOGUE, conservativeEntry, LOCAL_MODEL_ID, resolveModel, type ResolveOptions } from './catalogue/index.js';
import type { CatalogueEntry } from './catalogue/types.js';

/**
 * The limits the request path checks, as it read them before the catalogue
 * existed: a thin view over `catalogue/`, kept so callers compile unchanged.
 * New code should use `resolveModel` and the `CatalogueEntry` itself.
 */
export interface VisionModelInfo {
  id: string;
  name: string;
  provider: string;
  /** True for the embedded local model, which measures images instead of understanding them. */
  local: boolean;
  description: string;
  maxOutputTokens: number;
  maxImages: number;
  /** Largest single image sent upstream, in bytes. */
  maxImageBytes: number;
  /** Largest width or height accepted, in pixels. */
  maxImageDimension: number;
  /** Larger images are downscaled to this long edge: the model would anyway. */
  recommendedLongEdge: number;
}

export { LOCAL_MODEL_ID };

/** The entry's limits under the id the client used (a profile id or ARN stays as given). */
export function visionModelInfo(id: string, entry: CatalogueEntry): VisionModelInfo {
  return {
    id,
    name: entry.name,
    provider: entry.provider,
    local: entry.local === true,
    description: entry.description,
    maxOutputTokens: entry.maxOutputTokens,
    maxImages: entry.images.maxCount,
    maxImageBytes: entry.images.maxBytes,
    maxImageDimension: entry.images.maxDimension,
    recommendedLongEdge: entry.images.longEdge,
  };
}

/**
 * The info for a model id, profile id or ARN. Ids the catalogue does not know
 * (and no alias maps) get conservative limits rather than a guess.
 */
export function modelInfo(id: string, options?: ResolveOptions): VisionModelInfo {
  const entry = resolveModel(id, options)?.entry ?? conservativeEntry(id);
  return visionModelInfo(id, entry);
}

/**
 * The id to call a catalogue model by on demand: its base id, or its system
 * inference profile (global first) when Bedrock serves it only through one.
 */
export function onDemandId(entry: CatalogueEntry): string {
  if (!entry.requiresInferenceProfile) return entry.id;
  const prefix = entry.inferenceProfilePrefixes.includes('global') ? 'global' : entry.inferenceProfilePrefixes[0];
  return prefix ? `${prefix}.${entry.id}` : entry.id;
}

/**
 * The default model in AWS mode: Claude Haiku 4.5, the lowest-cost current
 * Claude, through its global profile (Bedrock refuses its base id on demand;
 * the global profile is callable from every commercial Region that offers it
 * and costs 10% less than the `us.`/`eu.` ones).
 */
export const DEFAULT_BEDROCK_MODEL_ID = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

/** Current models allowed by default in AWS mode (one per family and tier). */
const DEFAULT_ALLOWED = [
  'anthropic.claude-haiku-4-5-20251001-v1:0',
  'anthropic.claude-sonnet-4-6',
  'anthropic.claude-opus-4-6-v1',
  'amazon.nova-lite-v1:0',
  'amazon.nova-pro-v1:0',
  'amazon.nova-2-lite-v1:0',
  'meta.llama4-maverick-17b-instruct-v1:0',
  'mistral.pixtral-large-2502-v1:0',
];

export const DEFAULT_BEDROCK_MODEL_IDS: string[] = DEFAULT_ALLOWED.map((id) => {
  const entry = CATALOGUE.find((e) => e.id === id);
  if (!entry || entry.lifecycle.status !== 'active') throw new Error(`default model ${id} is not an active catalogue entry`);
  return onDemandId(entry);
});
