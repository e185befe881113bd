import {
  ListFoundationModelsCommand,
  paginateListInferenceProfiles,
  type BedrockClient,
  type FoundationModelSummary,
} from '@aws-sdk/client-bedrock';
import { catalogueEntry, conservativeEntry, type ResolveOptions } from './catalogue/index.js';
import type { CatalogueEntry, ModelLifecycle } from './catalogue/types.js';

/**
 * Asks Bedrock which vision models this account and Region can call
 * (`ListFoundationModels`, text output with image input, and
 * `ListInferenceProfiles`), at start and every so often. It marks catalogue
 * models available or not, takes their lifecycle from `modelLifecycle`, maps
 * every profile id and ARN to its base model, and lists vision models the
 * catalogue lacks. It never widens the allow-list, and a failed call (no
 * permission, throttling) logs one warning and keeps what was known.
 */

/**
 * What resolvers read about models besides the allow-list. Optional so the
 * server compiles before it wires discovery; absent means "unknown".
 */
export interface ModelCatalogueServices {
  modelDiscovery?: ModelDiscovery;
  /** Ids mapped to base models by configuration (`Config.modelAliases`). */
  modelAliases?: Record<string, string>;
}

export interface DiscoveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ModelDiscoveryOptions {
  /** A control-plane client (`@aws-sdk/client-bedrock`), pointed at Bedrock or the local endpoint. */
  client: BedrockClient;
  logger: DiscoveryLogger;
  /** Pause between refreshes after the first; 0 refreshes only at start. @default 6 h */
  intervalMs?: number;
}

/** What Bedrock reported for one foundation model. */
export interface DiscoveredModel {
  modelId: string;
  name?: string;
  provider?: string;
  /** The lifecycle Bedrock reports, in the catalogue's terms. */
  lifecycle?: ModelLifecycle;
  /** ON_DEMAND (base id callable), INFERENCE_PROFILE, PROVISIONED. */
  inferenceTypes: string[];
}

export interface DiscoveryState {
  /** `idle` before the first answer; `failed` when the last refresh failed (older data kept). */
  status: 'idle' | 'ok' | 'failed';
  /** When Bedrock last answered. */
  refreshedAt?: Date;
  /** Why the last refresh failed. */
  error?: string;
  /** Vision models (image in, text out) Bedrock lists, by base id. */
  models: ReadonlyMap<string, DiscoveredModel>;
  /** Every profile id and ARN mapped to its (first) base model id. */
  profiles: ReadonlyMap<string, string>;
  /** Discovered vision models the catalogue lacks, with conservative entries. */
  uncatalogued: readonly CatalogueEntry[];
}

/** `arn:aws:bedrock:<region>::foundation-model/<id>` → `<id>`. */
function modelIdOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function isoDate(date: Date | undefined): string | undefined {
  return date ? date.toISOString().slice(0, 10) : undefined;
}

function lifecycleOf(summary: FoundationModelSummary): ModelLifecycle | undefined {
  const reported = summary.modelLifecycle;
  if (!reported?.status) return undefined;
  return {
    status: reported.status === 'LEGACY' ? 'legacy' : 'active',
    ...(reported.legacyTime ? { legacySince: isoDate(reported.legacyTime) } : {}),
    ...(reported.endOfLifeTime ? { endOfLife: isoDate(reported.endOfLifeTime) } : {}),
  };
}

export class ModelDiscovery {
  private current: DiscoveryState = { status: 'idle', models: new Map(), profiles: new Map(), uncatalogued: [] };
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<DiscoveryState>;
  /** True while failures are being reported, so a failing account warns once, not every interval. */
  private warned = false;
  private readonly intervalMs: number;

  constructor(private readonly options: ModelDiscoveryOptions) {
    this.intervalMs = options.intervalMs ?? 6 * 60 * 60 * 1000;
  }

  /** The last known answer. */
  get state(): DiscoveryState {
    return this.current;
  }

  /** Refreshes once, then every `intervalMs`. Never rejects. */
  async start(): Promise<DiscoveryState> {
    const first = await this.refresh();
    if (this.intervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.refresh(), this.intervalMs);
      this.timer.unref();
    }
    return first;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Asks Bedrock again (concurrent calls share one round). Never rejects. */
  refresh(): Promise<DiscoveryState> {
    this.inFlight ??= this.load().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /**
   * Whether this account can call an id (base id, profile id or ARN): `null`
   * while unknown (before discovery answered, or after it only failed).
   */
  availability(invokeId: string): boolean | null {
    if (!this.current.refreshedAt) return null;
    const base = this.current.profiles.get(invokeId) ?? invokeId;
    return this.current.models.has(base);
  }

  /** The entry with Bedrock's reported lifecycle over the catalogue's, when Bedrock reported one. */
  withReportedLifecycle(entry: CatalogueEntry): CatalogueEntry {
    const reported = this.current.models.get(entry.id)?.lifecycle;
    if (!reported) return entry;
    return { ...entry, lifecycle: { ...reported, replacement: entry.lifecycle.replacement } };
  }

  /** What `resolveModel` needs from discovery: profile mappings and uncatalogued entries. */
  resolveOptions(aliases?: ResolveOptions['aliases']): ResolveOptions {
    return {
      aliases,
      profiles: this.current.profiles,
      extra: new Map(this.current.uncatalogued.map((entry) => [entry.id, entry])),
    };
  }

  private async load(): Promise<DiscoveryState> {
    const { client, logger } = this.options;
    try {
      // The API filters by output modality only; image input is checked here.
      const listed = await client.send(new ListFoundationModelsCommand({ byOutputModality: 'TEXT' }));
      const models = new Map<string, DiscoveredModel>();
      for (const summary of listed.modelSummaries ?? []) {
        if (!summary.modelId || !summary.inputModalities?.includes('IMAGE')) continue;
        models.set(summary.modelId, {
          modelId: summary.modelId,
          name: summary.modelName,
          provider: summary.providerName,
          lifecycle: lifecycleOf(summary),
          inferenceTypes: summary.inferenceTypesSupported ?? [],
        });
      }

      const profiles = new Map<string, string>();
      for await (const page of paginateListInferenceProfiles({ client }, {})) {
        for (const profile of page.inferenceProfileSummaries ?? []) {
          const first = profile.models?.[0]?.modelArn;
          if (!first) continue;
          const base = modelIdOfArn(first);
          if (profile.inferenceProfileId) profiles.set(profile.inferenceProfileId, base);
          if (profile.inferenceProfileArn) profiles.set(profile.inferenceProfileArn, base);
        }
      }

      const uncatalogued = [...models.values()]
        .filter((model) => !catalogueEntry(model.modelId))
        .map((model) => ({
          ...conservativeEntry(model.modelId, { name: model.name, provider: model.provider }),
          ...(model.lifecycle ? { lifecycle: model.lifecycle } : {}),
        }));

      this.current = { status: 'ok', refreshedAt: new Date(), models, profiles, uncatalogued };
      if (this.warned) logger.info({}, 'Model discovery works again');
      this.warned = false;
      logger.info(
        { visionModels: models.size, profiles: profiles.size, uncatalogued: uncatalogued.map((e) => e.id) },
        'Model discovery: Bedrock lists what this account can call',
      );
    } catch (error) {
      const name = (error as Error).name;
      const message = (error as Error).message;
      this.current = { ...this.current, status: 'failed', error: `${name}: ${message}` };
      if (!this.warned) {
        this.warned = true;
        logger.warn(
          { error: name, message },
          name === 'AccessDeniedException'
            ? 'Model discovery is not permitted (allow bedrock:ListFoundationModels and bedrock:ListInferenceProfiles); using the built-in catalogue'
            : 'Model discovery failed; using the built-in catalogue',
        );
      }
    }
    return this.current;
  }
}
