import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.js';

const emptyHome = mkdtempSync(join(tmpdir(), 'home-'));

describe('loadConfig', () => {
  it('runs the local model when no AWS credentials can be found', () => {
    const config = loadConfig({}, emptyHome);
    expect(config).toMatchObject({
      bedrockMode: 'local',
      bedrockModeReason: 'no AWS credentials found',
      defaultModelId: 'local.image-inspector',
      allowedModelIds: ['local.image-inspector'],
      port: 4000,
    });
  });

  it.each([
    ['AWS_ACCESS_KEY_ID', 'AKIA'],
    ['AWS_PROFILE', 'dev'],
    ['AWS_BEARER_TOKEN_BEDROCK', 'token'],
    ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', '/v2/credentials'],
  ])('uses Bedrock when %s is set', (key, value) => {
    const config = loadConfig({ [key]: value }, emptyHome);
    expect(config.bedrockMode).toBe('aws');
    expect(config.defaultModelId).toBe('global.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(config.allowedModelIds).not.toContain('local.image-inspector');
  });

  it('uses Bedrock when a shared credentials file exists', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\n');
    expect(loadConfig({}, home).bedrockMode).toBe('aws');
  });

  it('obeys BEDROCK_MODE over what it finds', () => {
    expect(loadConfig({ BEDROCK_MODE: 'local', AWS_ACCESS_KEY_ID: 'x' }, emptyHome).bedrockMode).toBe('local');
    expect(loadConfig({ BEDROCK_MODE: 'aws' }, emptyHome).bedrockMode).toBe('aws');
    expect(() => loadConfig({ BEDROCK_MODE: 'cloud' }, emptyHome)).toThrow(/BEDROCK_MODE/);
  });

  it('puts a configured default model on the allow-list', () => {
    const config = loadConfig({ BEDROCK_MODE: 'aws', DEFAULT_MODEL_ID: 'us.anthropic.x', ALLOWED_MODEL_IDS: 'a, b' }, emptyHome);
    expect(config.allowedModelIds).toEqual(['us.anthropic.x', 'a', 'b']);
  });

  it('maps application inference profile ARNs to base models from ALLOWED_MODEL_IDS and MODEL_ALIASES', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    const other = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/def456';
    const config = loadConfig(
      { BEDROCK_MODE: 'aws', ALLOWED_MODEL_IDS: `${arn}=amazon.nova-lite-v1:0, us.amazon.nova-pro-v1:0`, MODEL_ALIASES: `${other}=amazon.nova-pro-v1:0` },
      emptyHome,
    );
    expect(config.allowedModelIds).toEqual(['global.anthropic.claude-haiku-4-5-20251001-v1:0', arn, 'us.amazon.nova-pro-v1:0']);
    expect(config.modelAliases).toEqual({ [arn]: 'amazon.nova-lite-v1:0', [other]: 'amazon.nova-pro-v1:0' });
    expect(() => loadConfig({ BEDROCK_MODE: 'aws', MODEL_ALIASES: 'oops' }, emptyHome)).toThrow(/id=base-model-id/);
  });

  it('discovers models every 6 hours unless MODEL_DISCOVERY_INTERVAL_MS says otherwise (0 = off)', () => {
    expect(loadConfig({}, emptyHome).modelDiscoveryIntervalMs).toBe(6 * 60 * 60 * 1000);
    expect(loadConfig({ MODEL_DISCOVERY_INTERVAL_MS: '0' }, emptyHome).modelDiscoveryIntervalMs).toBe(0);
  });

  it('reads API keys from API_KEYS and from API_KEYS_FILE, skipping comments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys');
    writeFileSync(file, '# ops keys\nfile-key-1\n\n  file-key-2  \n');
    expect(loadConfig({ API_KEYS: 'a, b', API_KEYS_FILE: file }, emptyHome).apiKeys).toEqual(['a', 'b', 'file-key-1', 'file-key-2']);
    expect(loadConfig({}, emptyHome).apiKeys).toEqual([]);
  });

  it('refuses a malformed number', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, emptyHome)).toThrow(/PORT must be a whole number/);
  });

  it('keeps uploads and limits in memory unless REDIS_URL is set, with per-key upload quota and lease time', () => {
    const defaults = loadConfig({}, emptyHome);
    expect(defaults).toMatchObject({ redisUrl: undefined, redisTimeoutMs: 1000, uploads: { keyMaxBytes: 64_000_000 }, limits: { keyLeaseMs: 30_000 } });
    const shared = loadConfig({ REDIS_URL: 'redis://redis:6379', REDIS_TIMEOUT_MS: '250', UPLOAD_KEY_MAX_BYTES: '1000', KEY_LEASE_MS: '1500' }, emptyHome);
    expect(shared).toMatchObject({ redisUrl: 'redis://redis:6379', redisTimeoutMs: 250, uploads: { keyMaxBytes: 1000 }, limits: { keyLeaseMs: 1500 } });
  });
});
