import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BEDROCK_MODEL_IDS, LOCAL_MODEL_ID } from './bedrock/models.js';

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
  /** Used when a request names no model. Always one of `allowedModelIds`. */
  defaultModelId: string;
  /** Pause between the local model's deltas, in ms. @default 40 (`LOCAL_MODEL_PACE_MS`) */
  localModelPaceMs: number;
  images: {
    /** Largest image accepted before normalisation, in bytes. @default 30 MB (`MAX_INPUT_IMAGE_BYTES`) */
    maxInputBytes: number;
    /** Largest pixel count read from an image header; above it nothing is decoded. @default 8000×8000 (`MAX_INPUT_PIXELS`) */
    maxInputPixels: number;
  };
  uploads: {
    /** How long an uploaded image can be referred to. @default 15 min (`UPLOAD_TTL_SECONDS`) */
    ttlMs: number;
    /** Memory held by uploaded images at most; the oldest go first. @default 256 MB (`UPLOAD_STORE_MAX_BYTES`) */
    maxBytes: number;
  };
  /** Serve GraphiQL at /graphql. @default true (`GRAPHIQL`) */
  graphiql: boolean;
  /** Folder with the built web client served at `/`, if it exists. @default 'web/dist' (`WEB_ROOT`) */
  webRoot: string;
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

function resolveMode(env: Env, home?: string): { mode: BedrockMode; reason: string } {
  const asked = (env.BEDROCK_MODE ?? 'auto').toLowerCase();
  if (asked === 'local') return { mode: 'local', reason: 'BEDROCK_MODE=local' };
  if (asked === 'aws') return { mode: 'aws', reason: 'BEDROCK_MODE=aws' };
  if (asked !== 'auto') throw new Error(`BEDROCK_MODE must be auto, local or aws, got "${env.BEDROCK_MODE}"`);
  return hasAwsCredentialSource(env, home)
    ? { mode: 'aws', reason: 'AWS credentials found' }
    : { mode: 'local', reason: 'no AWS credentials found' };
}

/** Reads the whole configuration from the environment; throws on a bad value. */
export function loadConfig(env: Env = process.env, home?: string): Config {
  const { mode, reason } = resolveMode(env, home);
  let allowedModelIds: string[];
  let defaultModelId: string;
  if (mode === 'local') {
    allowedModelIds = [LOCAL_MODEL_ID];
    defaultModelId = LOCAL_MODEL_ID;
  } else {
    allowedModelIds = listFrom(env, 'ALLOWED_MODEL_IDS') ?? DEFAULT_BEDROCK_MODEL_IDS;
    defaultModelId = env.DEFAULT_MODEL_ID || 'anthropic.claude-3-haiku-20240307-v1:0';
    if (!allowedModelIds.includes(defaultModelId)) allowedModelIds = [defaultModelId, ...allowedModelIds];
  }
  return {
    port: intFrom(env, 'PORT', 4000),
    host: env.HOST || '0.0.0.0',
    bedrockMode: mode,
    bedrockModeReason: reason,
    allowedModelIds,
    defaultModelId,
    localModelPaceMs: intFrom(env, 'LOCAL_MODEL_PACE_MS', 40),
    images: {
      maxInputBytes: intFrom(env, 'MAX_INPUT_IMAGE_BYTES', 30_000_000),
      maxInputPixels: intFrom(env, 'MAX_INPUT_PIXELS', 8000 * 8000),
    },
    uploads: {
      ttlMs: intFrom(env, 'UPLOAD_TTL_SECONDS', 15 * 60) * 1000,
      maxBytes: intFrom(env, 'UPLOAD_STORE_MAX_BYTES', 256_000_000),
    },
    graphiql: env.GRAPHIQL !== 'false',
    webRoot: env.WEB_ROOT || 'web/dist',
  };
}
