import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.js';
import { createServer } from '../../api/server.js';

const emptyHome = mkdtempSync(join(tmpdir(), 'home-'));

const QUERY = /* GraphQL */ `
  {
    models {
      id isDefault isAllowed isLocal name provider baseModelId inferenceProfile apiFamily apiFamilies
      maxImages maxImageBytes maxImageDimension recommendedLongEdge maxOutputTokens imageFormats imageTokenFormula
      parameters { temperature { min max } topP { min max } topK { min max } exclusive }
      prices { input output cacheRead cacheWrite }
      promptCaching promptCachingMinTokens countTokens
      lifecycle { status endOfLife replacement }
      availability conservativeLimits warnings
    }
    discoveredModels { id }
  }
`;

/** Query.models through yoga.fetch, on a server that is built but not listening. */
async function queryModels(env: Record<string, string>) {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env }, emptyHome);
  const server = await createServer(config);
  // What server.ts passes once the lead wires the catalogue services (see README, Models).
  Object.assign(server.services, { modelAliases: config.modelAliases });
  const response = await server.yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await response.json()) as { data: { models: any[]; discoveredModels: any[] }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe('Query.models', () => {
  it('describes the local model: both API families, zero prices, caching, availability unknown', async () => {
    const { models, discoveredModels } = await queryModels({ BEDROCK_MODE: 'local' });
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      id: 'local.image-inspector',
      isDefault: true,
      isAllowed: true,
      isLocal: true,
      apiFamily: 'ANTHROPIC_MESSAGES',
      apiFamilies: ['ANTHROPIC_MESSAGES', 'CONVERSE'],
      prices: { input: 0, output: 0 },
      promptCaching: true,
      countTokens: true,
      lifecycle: { status: 'ACTIVE' },
      availability: 'UNKNOWN',
      warnings: [],
    });
    expect(discoveredModels).toEqual([]);
  });

  it('defaults AWS mode to current models, with profile, family, limits, prices and lifecycle', async () => {
    const { models } = await queryModels({ BEDROCK_MODE: 'aws' });
    const haiku = models.find((m) => m.isDefault);
    expect(haiku).toMatchObject({
      id: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      baseModelId: 'anthropic.claude-haiku-4-5-20251001-v1:0',
      inferenceProfile: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      name: 'Claude Haiku 4.5',
      provider: 'Anthropic',
      apiFamily: 'ANTHROPIC_MESSAGES',
      maxImages: 20,
      maxImageBytes: 3_750_000,
      maxImageDimension: 8000,
      recommendedLongEdge: 1568,
      maxOutputTokens: 64_000,
      imageFormats: ['jpeg', 'png', 'gif', 'webp'],
      imageTokenFormula: 'ceil(width × height / 750)',
      parameters: { temperature: { min: 0, max: 1 }, topK: { min: 0, max: 500 }, exclusive: [['temperature', 'topP']] },
      prices: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
      promptCachingMinTokens: 4096,
      lifecycle: { status: 'ACTIVE', endOfLife: null },
      availability: 'UNKNOWN',
    });
    for (const model of models) expect(model.lifecycle.status).toBe('ACTIVE');
    const llama = models.find((m) => m.baseModelId === 'meta.llama4-maverick-17b-instruct-v1:0');
    expect(llama).toMatchObject({ apiFamily: 'CONVERSE', apiFamilies: ['CONVERSE'], parameters: { topK: null } });
  });

  it('flags an allowed end-of-life model and an unknown one with warnings; unknown prices are null', async () => {
    const { models } = await queryModels({
      BEDROCK_MODE: 'aws',
      ALLOWED_MODEL_IDS: 'anthropic.claude-3-haiku-20240307-v1:0,acme.vision-v1:0',
    });
    const old = models.find((m) => m.id === 'anthropic.claude-3-haiku-20240307-v1:0');
    expect(old.lifecycle).toEqual({ status: 'END_OF_LIFE', endOfLife: '2026-09-10', replacement: 'anthropic.claude-haiku-4-5-20251001-v1:0' });
    expect(old.warnings[0]).toMatch(/reached end of life .* requests for it are refused/);
    const unknown = models.find((m) => m.id === 'acme.vision-v1:0');
    expect(unknown).toMatchObject({
      conservativeLimits: true,
      apiFamily: 'CONVERSE',
      maxImages: 5,
      maxOutputTokens: 4096,
      prices: { input: null, output: null, cacheRead: null, cacheWrite: null },
      promptCaching: false,
    });
    expect(unknown.warnings[0]).toMatch(/not in the model catalogue/);
  });

  it('resolves an application inference profile ARN mapped in ALLOWED_MODEL_IDS', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team1';
    const { models } = await queryModels({ BEDROCK_MODE: 'aws', ALLOWED_MODEL_IDS: `${arn}=amazon.nova-lite-v1:0` });
    expect(models.find((m) => m.id === arn)).toMatchObject({
      baseModelId: 'amazon.nova-lite-v1:0',
      inferenceProfile: arn,
      name: 'Amazon Nova Lite',
      conservativeLimits: false,
    });
  });
});
