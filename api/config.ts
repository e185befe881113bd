import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAliases } from './bedrock/catalogue/index.js';
import type { ApiFamily } from './bedrock/catalogue/types.js';
import { DEFAULT_BEDROCK_MODEL_ID, DEFAULT_BEDROCK_MODEL_IDS, LOCAL_MODEL_ID } from './bedrock/models.js';
import { DEFAULT_DECODE_QUEUE } from './images/decode-queue.js';

export type BedrockMode = 'local' | 'aws';

export interface Config {
  /** @default 4000 (`PORT`) */
  port: number;
  /** @default '0.0.0.0' (`HOST`) */
  host: string;
  /** `local` runs the embedded endpoint; `aws` uses the SDK's own configuration. */
  bedrockMode: BedrockMode;
  /** Why that mode was chosen, for the startup log. */
  bedrockModeReason: string;
  /** Models a client may ask for. In local mode, only the local model. */
  allowedModelIds: string[];
  /** Used when a request names no model. Always one of `allowedModelIds`. @default global.anthropic.claude-haiku-4-5-20251001-v1:0 in AWS mode (`DEFAULT_MODEL_ID`) */
  defaultModelId: string;
  /**
   * Model ids (typically application inference profile ARNs) mapped to the
   * base model they run, so the catalogue knows their limits. From
   * `MODEL_ALIASES` (`arn…=base-id`, comma-separated) and from `arn…=base-id`
   * entries of `ALLOWED_MODEL_IDS`. @default none
   */
  modelAliases: Record<string, string>;
  /** How often to ask Bedrock which models this account can call; 0 turns discovery off. @default 6 h (`MODEL_DISCOVERY_INTERVAL_MS`) */
  modelDiscoveryIntervalMs: number;
  /** Pause between the local model's deltas, in ms. @default 40 (`LOCAL_MODEL_PACE_MS`) */
  localModelPaceMs: number;
  /** Which runtime API reaches the local model: its InvokeModel (Anthropic Messages) or its Converse routes. @default 'anthropic-messages' (`LOCAL_MODEL_API`) */
  localModelApi: ApiFamily;
  /** PREFER_CONVERSE: Claude through Converse too. @default false */
  preferConverse: boolean;
  images: {
    /** Largest image accepted before normalisation, in bytes. @default 30 MB (`MAX_INPUT_IMAGE_BYTES`) */
    maxInputBytes: number;
    /** Largest pixel count read from an image header; above it nothing is decoded. @default 8000×8000 (`MAX_INPUT_PIXELS`) */
    maxInputPixels: number;
    /** Image decodes running at once on the server. @default 2 (`IMAGE_DECODE_CONCURRENCY`) */
    decodeConcurrency: number;
    /** Pixels being decoded at once, all images together; one larger image still runs, alone. @default 64 MP (`IMAGE_DECODE_BUDGET_PIXELS`) */
    decodeBudgetPixels: number;
    /** Longest wait of an image for a decode turn before SERVER_BUSY; 0 = no limit. @default 20 s (`IMAGE_QUEUE_TIMEOUT_MS`) */
    queueTimeoutMs: number;
  };
  uploads: {
    /** How long an uploaded image can be referred to. @default 15 min (`UPLOAD_TTL_SECONDS`) */
    ttlMs: number;
    /** Memory held by uploaded images at most, all keys together (in-memory store); past it uploads are refused. @default 256 MB (`UPLOAD_STORE_MAX_BYTES`) */
    maxBytes: number;
    /** Bytes of uploads one API key may hold; over it, that key's own oldest uploads go first. @default 64 MB (`UPLOAD_KEY_MAX_BYTES`) */
    keyMaxBytes: number;
  };
  /** Longest conversation `history` a describe request may carry, in turns. @default 20 (`MAX_HISTORY_TURNS`) */
  maxHistoryTurns: number;
  /** MAX_LIST_ITEMS: longest list accepted anywhere in a request's variables. @default 1000 */
  maxListItems: number;
  /**
   * Redis (or Valkey) shared by every replica for uploads and per-key limits;
   * unset, they live in this process's memory. (`REDIS_URL`, e.g. `redis://redis:6379`)
   */
  redisUrl: string | undefined;
  /** A Redis command with no answer for this long fails with STORE_UNAVAILABLE. @default 1000 (`REDIS_TIMEOUT_MS`) */
  redisTimeoutMs: number;
  /** Serve GraphiQL at /graphql. @default true (`GRAPHIQL`) */
  graphiql: boolean;
  /** Folder with the built web client served at `/`, if it exists. @default 'web/dist' (`WEB_ROOT`) */
  webRoot: string;
  /** True when NODE_ENV=production: field suggestions are hidden. */
  production: boolean;
  /** Answer introspection queries. @default true (`INTROSPECTION`) */
  introspection: boolean;
  /** Accepted API keys; empty means the server is open. (`API_KEYS`, comma-separated, or `API_KEYS_FILE`, one per line) */
  apiKeys: string[];
  /** Browser origins allowed by CORS, besides same-origin. @default none (`CORS_ORIGINS`, comma-separated) */
  corsOrigins: string[];
  /** Largest request body (JSON or multipart) and WebSocket message. @default 25 MB (`MAX_REQUEST_BYTES`) */
  maxRequestBytes: number;
  limits: {
    /** Describe requests in flight per API key. @default 4 (`KEY_MAX_CONCURRENT`) */
    keyMaxConcurrent: number;
    /** Describe requests per minute per API key, on average. @default 60 (`KEY_RATE_PER_MINUTE`) */
    keyRatePerMinute: number;
    /** Requests a key may make at once; counted in windows of `burst / rate` minutes. @default 10 (`KEY_RATE_BURST`) */
    keyBurst: number;
    /** Describe requests in flight on the whole server (each replica). @default 5000 (`MAX_CONCURRENT_STREAMS`) */
    maxConcurrent: number;
    /**
     * With Redis: how long a concurrency slot's lease lasts unless renewed; a
     * replica that dies gives its slots back after this. @default 30000 (`KEY_LEASE_MS`)
     */
    keyLeaseMs: number;
  };
  /** Abort an upstream call that sends nothing for this long. @default 60 s (`BEDROCK_TIMEOUT_MS`) */
  upstreamIdleTimeoutMs: number;
  /** On SIGTERM, how long in-flight streams may take to finish. @default 10 s (`SHUTDOWN_GRACE_MS`) */
  shutdownGraceMs: number;
  /** Ping interval for WebSocket clients; a peer that misses a pong is dropped. @default 12 s (`WS_KEEPALIVE_MS`) */
  wsKeepAliveMs: number;
  /** Caps on a describe request's text, checked before any upstream call; 0 = no cap. */
  text: {
    /** Longest `prompt`, in characters. @default 20000 (`MAX_PROMPT_CHARS`) */
    maxPromptChars: number;
    /** Longest `system` prompt, in characters. @default 20000 (`MAX_SYSTEM_CHARS`) */
    maxSystemChars: number;
    /** Longest stop sequence, in characters. @default 200 (`MAX_STOP_SEQUENCE_CHARS`) */
    maxStopSequenceChars: number;
    /** Prompt, system prompt and stop sequences together, in characters. @default 32000 (`MAX_REQUEST_TEXT_CHARS`) */
    maxRequestTextChars: number;
  };
  /**
   * Time a client has to send a whole request (headers and body) before it is
   * answered 408 and closed, so a connection that drips its body cannot stay open.
   * @default 30 s (`REQUEST_BODY_TIMEOUT_MS`)
   */
  requestBodyTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/**
 * True when the AWS SDK's default credential chain has something to find
 * without network calls: environment keys, a Bedrock API key, a profile,
 * shared files, web identity or container credentials. EC2 instance roles
 * need a network probe, so those hosts set `BEDROCK_MODE=aws`.
 */
export function hasAwsCredentialSource(env: Env, home = homedir()): boolean {
  const envKeys = [
    'AWS_ACCESS_KEY_ID',
    'AWS_PROFILE',
    'AWS_BEARER_TOKEN_BEDROCK',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ];
  if (envKeys.some((key) => env[key])) return true;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  ];
  return files.some((file) => existsSync(file));
}

function intFrom(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${key} must be a whole number ≥ 0, got "${raw}"`);
  }
  return value;
}

function listFrom(env: Env, key: string): string[] | undefined {
  const raw = env[key];
  if (!raw) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function readApiKeys(env: Env): string[] {
  const inline = listFrom(env, 'API_KEYS') ?? [];
  const fromFile = env.API_KEYS_FILE
    ? readFileSync(env.API_KEYS_FILE, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
    : [];
  return [...inline, ...fromFile];
}

function resolveMode(env: Env, home?: string): { mode: BedrockMode; reason: string } {
  const asked = (env.BEDROCK_MODE ?? 'auto').toLowerCase();
  if (asked === 'local') return { mode: 'local', reason: 'BEDROCK_MODE=local' };
  if (asked === 'aws') return { mode: 'aws', reason: 'BEDROCK_MODE=aws' };
  if (asked !== 'auto') throw new Error(`BEDROCK_MODE must be auto, local or aws, got "${env.BEDROCK_MODE}"`);
  return hasAwsCredentialSource(env, home)
    ? { mode: 'aws', reason: 'AWS credentials found' }
    : { mode: 'local', reason: 'no AWS credentials found' };
}

function apiFamilyFrom(value: string | undefined): ApiFamily {
  if (value === undefined || value === '' || value === 'anthropic-messages') return 'anthropic-messages';
  if (value === 'converse') return 'converse';
  throw new Error(`LOCAL_MODEL_API must be anthropic-messages or converse, got "${value.slice(0, 80)}"`);
}

/** Reads the whole configuration from the environment; throws on a bad value. */
export function loadConfig(env: Env = process.env, home?: string): Config {
  const { mode, reason } = resolveMode(env, home);
  let allowedModelIds: string[];
  let defaultModelId: string;
  const modelAliases = Object.fromEntries(parseAliases(listFrom(env, 'MODEL_ALIASES') ?? []));
  if (mode === 'local') {
    allowedModelIds = [LOCAL_MODEL_ID];
    defaultModelId = LOCAL_MODEL_ID;
  } else {
    // `arn…=base-id` allows the ARN and tells the catalogue which model it runs.
    allowedModelIds = (listFrom(env, 'ALLOWED_MODEL_IDS') ?? DEFAULT_BEDROCK_MODEL_IDS).map((entry) => {
      if (!entry.includes('=')) return entry;
      const [id, base] = [...parseAliases([entry])][0]!;
      modelAliases[id] = base;
      return id;
    });
    defaultModelId = env.DEFAULT_MODEL_ID || DEFAULT_BEDROCK_MODEL_ID;
    if (!allowedModelIds.includes(defaultModelId)) allowedModelIds = [defaultModelId, ...allowedModelIds];
  }
  return {
    port: intFrom(env, 'PORT', 4000),
    host: env.HOST || '0.0.0.0',
    bedrockMode: mode,
    bedrockModeReason: reason,
    allowedModelIds,
    defaultModelId,
    modelAliases,
    modelDiscoveryIntervalMs: intFrom(env, 'MODEL_DISCOVERY_INTERVAL_MS', 6 * 60 * 60 * 1000),
    localModelPaceMs: intFrom(env, 'LOCAL_MODEL_PACE_MS', 40),
    localModelApi: apiFamilyFrom(env.LOCAL_MODEL_API),
    preferConverse: env.PREFER_CONVERSE === 'true',
    images: {
      maxInputBytes: intFrom(env, 'MAX_INPUT_IMAGE_BYTES', 30_000_000),
      maxInputPixels: intFrom(env, 'MAX_INPUT_PIXELS', 8000 * 8000),
      decodeConcurrency: Math.max(1, intFrom(env, 'IMAGE_DECODE_CONCURRENCY', DEFAULT_DECODE_QUEUE.concurrency)),
      decodeBudgetPixels: Math.max(1, intFrom(env, 'IMAGE_DECODE_BUDGET_PIXELS', DEFAULT_DECODE_QUEUE.budgetPixels)),
      queueTimeoutMs: intFrom(env, 'IMAGE_QUEUE_TIMEOUT_MS', DEFAULT_DECODE_QUEUE.timeoutMs),
    },
    uploads: {
      ttlMs: intFrom(env, 'UPLOAD_TTL_SECONDS', 15 * 60) * 1000,
      maxBytes: intFrom(env, 'UPLOAD_STORE_MAX_BYTES', 256_000_000),
      keyMaxBytes: intFrom(env, 'UPLOAD_KEY_MAX_BYTES', 64_000_000),
    },
    maxHistoryTurns: intFrom(env, 'MAX_HISTORY_TURNS', 20),
    maxListItems: intFrom(env, 'MAX_LIST_ITEMS', 1000),
    redisUrl: env.REDIS_URL || undefined,
    redisTimeoutMs: intFrom(env, 'REDIS_TIMEOUT_MS', 1000),
    graphiql: env.GRAPHIQL !== 'false',
    webRoot: env.WEB_ROOT || 'web/dist',
    production: env.NODE_ENV === 'production',
    introspection: env.INTROSPECTION !== 'false',
    apiKeys: readApiKeys(env),
    corsOrigins: listFrom(env, 'CORS_ORIGINS') ?? [],
    maxRequestBytes: intFrom(env, 'MAX_REQUEST_BYTES', 25_000_000),
    limits: {
      keyMaxConcurrent: intFrom(env, 'KEY_MAX_CONCURRENT', 4),
      keyRatePerMinute: intFrom(env, 'KEY_RATE_PER_MINUTE', 60),
      keyBurst: intFrom(env, 'KEY_RATE_BURST', 10),
      maxConcurrent: intFrom(env, 'MAX_CONCURRENT_STREAMS', 5000),
      keyLeaseMs: intFrom(env, 'KEY_LEASE_MS', 30_000),
    },
    upstreamIdleTimeoutMs: intFrom(env, 'BEDROCK_TIMEOUT_MS', 60_000),
    shutdownGraceMs: intFrom(env, 'SHUTDOWN_GRACE_MS', 10_000),
    wsKeepAliveMs: intFrom(env, 'WS_KEEPALIVE_MS', 12_000),
    text: {
      maxPromptChars: intFrom(env, 'MAX_PROMPT_CHARS', 20_000),
      maxSystemChars: intFrom(env, 'MAX_SYSTEM_CHARS', 20_000),
      maxStopSequenceChars: intFrom(env, 'MAX_STOP_SEQUENCE_CHARS', 200),
      maxRequestTextChars: intFrom(env, 'MAX_REQUEST_TEXT_CHARS', 32_000),
    },
    requestBodyTimeoutMs: intFrom(env, 'REQUEST_BODY_TIMEOUT_MS', 30_000),
  };
}
