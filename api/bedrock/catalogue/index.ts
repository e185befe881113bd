import { CATALOGUE } from './models.js';
import type { CatalogueEntry } from './types.js';

export { CATALOGUE, LOCAL_MODEL_ID } from './models.js';
export type * from './types.js';

/**
 * Geography prefixes of Bedrock's system inference profiles
 * ("Supported Regions and models for inference profiles"): `us.anthropic…`.
 */
export const PROFILE_PREFIXES = ['global', 'us', 'eu', 'apac', 'jp', 'au', 'ca', 'us-gov'] as const;

const PROFILE_ID = new RegExp(`^(${PROFILE_PREFIXES.join('|')})\\.(.+)$`);
/** arn:aws:bedrock:<region>:<account>:<kind>/<id>; the account is empty for foundation models. */
const BEDROCK_ARN = /^arn:aws(?:-[a-z-]+)?:bedrock:[a-z0-9-]*:\d*:(foundation-model|inference-profile|application-inference-profile)\/(.+)$/;

const BY_ID = new Map(CATALOGUE.map((entry) => [entry.id, entry]));

export interface ResolveOptions {
  /**
   * Ids (typically application inference profile ARNs) mapped to the base
   * model they run, from configuration (`MODEL_ALIASES`, or `arn…=base-id`
   * entries of `ALLOWED_MODEL_IDS`).
   */
  aliases?: ReadonlyMap<string, string> | Record<string, string>;
  /** Profile ids and ARNs mapped to base model ids, as discovery read them from `ListInferenceProfiles`. */
  profiles?: ReadonlyMap<string, string>;
  /** Entries for ids not in the catalogue (discovered ones), looked up after the catalogue. */
  extra?: ReadonlyMap<string, CatalogueEntry>;
}

export interface ResolvedModel {
  entry: CatalogueEntry;
  /** The id to send to Bedrock, as the client named it (base id, profile id or ARN). */
  invokeId: string;
  /** The inference profile the call goes through, when it does. */
  profile?: string;
}

function lookup(map: ResolveOptions['aliases'], key: string): string | undefined {
  if (!map) return undefined;
  return map instanceof Map ? map.get(key) : (map as Record<string, string>)[key];
}

/** The catalogue entry (or a discovered one) for a base model id. */
export function catalogueEntry(baseId: string, extra?: ReadonlyMap<string, CatalogueEntry>): CatalogueEntry | undefined {
  return BY_ID.get(baseId) ?? extra?.get(baseId);
}

/**
 * The base model behind a model id, a system inference-profile id
 * (`us.` / `eu.` / `apac.` / `jp.` / `global.` + base id), a profile or
 * foundation-model ARN, or an application inference profile ARN (which names
 * no model: it resolves only through `aliases` or discovery's `profiles`).
 * Undefined when none of those knows it.
 */
export function resolveModel(idOrProfileOrArn: string, options: ResolveOptions = {}): ResolvedModel | undefined {
  const id = idOrProfileOrArn.trim();
  const find = (baseId: string | undefined) => (baseId ? catalogueEntry(baseId, options.extra) : undefined);

  const direct = find(id);
  if (direct) return { entry: direct, invokeId: id };

  const mapped = find(lookup(options.aliases, id) ?? options.profiles?.get(id));
  if (mapped) return { entry: mapped, invokeId: id, profile: id };

  const arn = BEDROCK_ARN.exec(id);
  if (arn) {
    const [, kind, resource] = arn as unknown as [string, string, string];
    if (kind === 'foundation-model') {
      const entry = find(resource);
      return entry && { entry, invokeId: id };
    }
    if (kind === 'inference-profile') {
      const inner = resolveModel(resource, options);
      return inner && { entry: inner.entry, invokeId: id, profile: id };
    }
    // An application profile ARN already missed the maps above.
    return undefined;
  }

  const profile = PROFILE_ID.exec(id);
  if (profile) {
    const entry = find(profile[2]);
    if (entry && !entry.local) return { entry, invokeId: id, profile: id };
  }
  return undefined;
}

/** Conservative limits for a model the catalogue does not know. */
export const CONSERVATIVE_LIMITS = {
  maxCount: 5,
  maxBytes: 3_750_000,
  maxDimension: 8000,
  longEdge: 1568,
  maxOutputTokens: 4096,
} as const;

/**
 * An entry for a model id allowed by configuration (or found by discovery)
 * that the catalogue does not know: conservative limits, the provider-neutral
 * Converse API, no caching, and prices marked unknown (NaN; shown as null).
 */
export function conservativeEntry(id: string, facts: { name?: string; provider?: string } = {}): CatalogueEntry {
  return {
    id,
    name: facts.name ?? id,
    provider: facts.provider ?? providerOf(id),
    apiFamily: 'converse',
    apiFamilies: ['converse'],
    inferenceProfilePrefixes: [],
    requiresInferenceProfile: false,
    images: {
      maxCount: CONSERVATIVE_LIMITS.maxCount,
      maxBytes: CONSERVATIVE_LIMITS.maxBytes,
      maxDimension: CONSERVATIVE_LIMITS.maxDimension,
      formats: ['jpeg', 'png', 'gif', 'webp'],
      longEdge: CONSERVATIVE_LIMITS.longEdge,
      tokenFormula: { kind: 'pixels', pixelsPerToken: 750 },
    },
    maxOutputTokens: CONSERVATIVE_LIMITS.maxOutputTokens,
    parameters: {
      temperature: { min: 0, max: 1 },
      topP: { min: 0, max: 1 },
      topK: null,
      maxStopSequences: 4,
      exclusive: [],
    },
    prices: { input: Number.NaN, output: Number.NaN },
    promptCaching: null,
    countTokens: false,
    assistantPrefill: false,
    lifecycle: { status: 'active' },
    sources: [],
    conservative: true,
    description: 'Not in the gateway\'s catalogue: conservative limits apply, prices unknown.',
  };
}

/** `anthropic.claude-…` → `anthropic`, `us.meta.llama…` → `meta`. */
function providerOf(id: string): string {
  const parts = id.replace(PROFILE_ID, '$2').split('.');
  return parts.length > 1 ? parts[0]! : 'unknown';
}

/**
 * Parses `key=value` pairs (comma-separated, as in `MODEL_ALIASES`) into a map.
 * ARNs hold no `=` or `,`, so the split is safe.
 */
export function parseAliases(pairs: string[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new Error(`A model alias must read "id=base-model-id", got "${pair}"`);
    aliases.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return aliases;
}
