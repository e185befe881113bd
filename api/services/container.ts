import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ModelCatalogueServices } from '../bedrock/discovery.js';
import type { ApiFamily } from '../bedrock/catalogue/types.js';
import { createBedrockClient, type BedrockModelClient } from '../bedrock/model-client.js';
import type { Config } from '../config.js';
import type { Stores } from '../stores/create-stores.js';
import type { UploadStore } from '../stores/upload-store.js';
import { DecodeQueue } from '../images/decode-queue.js';
import type { Telemetry } from '../telemetry.js';
import { Admission } from './admission.js';

/**
 * Everything a resolver's service needs, built once at start-up from the
 * configuration and carried in the GraphQL context. Services take it as an
 * argument, so tests pass real parts pointed at local servers.
 */
export interface Services extends ModelCatalogueServices {
  /** The Bedrock runtime client; there once the server has started. */
  readonly bedrock: BedrockRuntimeClient;
  /** Model calls through `bedrock`, one adapter per API family; there once the server has started. */
  readonly models: BedrockModelClient;
  /** Which API the local model is called through. */
  localModelApi: ApiFamily;
  /** Call models that speak both APIs (Claude) through Converse instead of the Anthropic Messages body. */
  preferConverse: boolean;
  /** Uploads, each owned by the key that made it (memory, or Redis shared by replicas). */
  uploads: UploadStore;
  allowedModelIds: string[];
  defaultModelId: string;
  /** Mode the server runs in, for error messages that say how to switch. */
  bedrockMode: 'local' | 'aws';
  maxInputImageBytes: number;
  maxInputPixels: number;
  /** The queue every image decode waits in: bounds the memory image preparation takes. */
  decodeQueue?: DecodeQueue;
  /** Longest `history` a describe request may carry. */
  maxHistoryTurns: number;
  /** Gate for every describe request: limits and shutdown. */
  admission: Admission;
  /** Caps on a describe request's text (characters; 0 = no cap). */
  textLimits: Config['text'];
  /** Abort an upstream call that sends nothing for this long; 0 = never. */
  upstreamIdleTimeoutMs: number;
  telemetry: Telemetry;
  /** The store behind uploads and per-key limits, for /ready and shutdown. */
  stores: Stores;
}

/** The container, plus the one late-bound part: the Bedrock client, made when the server starts. */
export interface ServicesContainer extends Services {
  connectBedrock(client: BedrockRuntimeClient): void;
}

/** `stores` come from createStores (memory, or Redis when REDIS_URL is set). */
export function createServices(config: Config, telemetry: Telemetry, stores: Stores): ServicesContainer {
  let bedrock: BedrockRuntimeClient | undefined;
  let models: BedrockModelClient | undefined;
  return {
    get bedrock(): BedrockRuntimeClient {
      if (!bedrock) throw new Error('server not started');
      return bedrock;
    },
    get models(): BedrockModelClient {
      if (!models) throw new Error('server not started');
      return models;
    },
    connectBedrock(client) {
      bedrock = client;
      models = createBedrockClient(client, { idleTimeoutMs: config.upstreamIdleTimeoutMs });
    },
    localModelApi: config.localModelApi,
    preferConverse: config.preferConverse,
    uploads: stores.uploads,
    allowedModelIds: config.allowedModelIds,
    defaultModelId: config.defaultModelId,
    bedrockMode: config.bedrockMode,
    maxInputImageBytes: config.images.maxInputBytes,
    maxInputPixels: config.images.maxInputPixels,
    decodeQueue: new DecodeQueue({
      concurrency: config.images.decodeConcurrency,
      budgetPixels: config.images.decodeBudgetPixels,
      timeoutMs: config.images.queueTimeoutMs,
    }),
    maxHistoryTurns: config.maxHistoryTurns,
    admission: new Admission({ maxConcurrent: config.limits.maxConcurrent, rate: stores.rate, concurrency: stores.concurrency }),
    textLimits: config.text,
    upstreamIdleTimeoutMs: config.upstreamIdleTimeoutMs,
    telemetry,
    stores,
    modelAliases: config.modelAliases,
  };
}
