import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  catalogueEntry,
  conservativeEntry,
  LOCAL_MODEL_ID,
  parseAliases,
  PROFILE_PREFIXES,
  resolveModel,
} from '../../api/bedrock/catalogue/index.js';
import { DEFAULT_BEDROCK_MODEL_ID, DEFAULT_BEDROCK_MODEL_IDS, modelInfo } from '../../api/bedrock/models.js';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('the catalogue', () => {
  it('has one entry per id', () => {
    const ids = CATALOGUE.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(CATALOGUE.map((e) => [e.id, e] as const))('%s cites its sources with the date read', (_id, entry) => {
    expect(entry.sources.length).toBeGreaterThan(0);
    for (const source of entry.sources) {
      expect(source.url).toBeTruthy();
      expect(source.read).toMatch(ISO_DATE);
    }
  });

  it.each(CATALOGUE.map((e) => [e.id, e] as const))('%s has non-negative prices and sane limits', (_id, entry) => {
    for (const price of Object.values(entry.prices)) expect(price).toBeGreaterThanOrEqual(0);
    expect(entry.maxOutputTokens).toBeGreaterThan(0);
    expect(entry.images.maxCount).toBeGreaterThan(0);
    expect(entry.images.longEdge).toBeLessThanOrEqual(entry.images.maxDimension);
    expect(entry.apiFamilies).toContain(entry.apiFamily);
    if (entry.parameters.topP) expect(entry.parameters.topP.min).toBeLessThanOrEqual(entry.parameters.topP.max);
  });

  it('names replacements that exist in the catalogue and are not themselves retired', () => {
    for (const entry of CATALOGUE) {
      const replacement = entry.lifecycle.replacement;
      if (!replacement) continue;
      expect(catalogueEntry(replacement), `${entry.id} → ${replacement}`).toBeDefined();
      expect(catalogueEntry(replacement)!.lifecycle.status).toBe('active');
    }
  });

  it('gives every end-of-life entry a replacement, and every date is ISO', () => {
    for (const entry of CATALOGUE) {
      if (entry.lifecycle.status === 'end-of-life') expect(entry.lifecycle.replacement, entry.id).toBeTruthy();
      for (const date of [entry.lifecycle.endOfLife, entry.lifecycle.legacySince]) if (date) expect(date).toMatch(ISO_DATE);
    }
  });

  it('accepts only jpeg, png, gif and webp on active models', () => {
    for (const entry of CATALOGUE.filter((e) => e.lifecycle.status === 'active')) {
      for (const format of entry.images.formats) expect(['jpeg', 'png', 'gif', 'webp']).toContain(format);
    }
  });

  it('uses only known inference-profile prefixes', () => {
    for (const entry of CATALOGUE) {
      for (const prefix of entry.inferenceProfilePrefixes) expect(PROFILE_PREFIXES).toContain(prefix);
      if (entry.requiresInferenceProfile) expect(entry.inferenceProfilePrefixes.length, entry.id).toBeGreaterThan(0);
    }
  });

  it('covers the families a Bedrock user picks among in late 2026', () => {
    const active = CATALOGUE.filter((e) => e.lifecycle.status === 'active' && !e.local).map((e) => e.name);
    for (const name of ['Claude Haiku 4.5', 'Claude Sonnet 4.5', 'Claude Opus 4.6', 'Amazon Nova Lite', 'Amazon Nova Pro',
      'Amazon Nova 2 Lite', 'Amazon Nova Premier', 'Llama 4 Scout 17B', 'Llama 4 Maverick 17B', 'Pixtral Large (25.02)']) {
      expect(active).toContain(name);
    }
  });

  it('lists Claude 3 and 3.5 as end of life, Claude on Messages by default with Converse too, the rest on Converse', () => {
    for (const id of ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0']) {
      expect(catalogueEntry(id)!.lifecycle.status).toBe('end-of-life');
    }
    for (const entry of CATALOGUE.filter((e) => !e.local)) {
      if (entry.provider === 'Anthropic') expect(entry.apiFamilies).toEqual(['anthropic-messages', 'converse']);
      else expect(entry.apiFamilies).toEqual(['converse']);
    }
  });

  it('keeps the local model reachable through both families, free, with caching and CountTokens', () => {
    expect(catalogueEntry(LOCAL_MODEL_ID)).toMatchObject({
      local: true,
      apiFamilies: ['anthropic-messages', 'converse'],
      prices: { input: 0, output: 0 },
      countTokens: true,
    });
    expect(catalogueEntry(LOCAL_MODEL_ID)!.promptCaching!.minTokens).toBeLessThan(100);
  });
});

describe('defaults', () => {
  it('defaults to a current, low-cost Claude callable on demand (Haiku 4.5 through its global profile)', () => {
    expect(DEFAULT_BEDROCK_MODEL_ID).toBe(`global.${HAIKU}`);
    expect(resolveModel(DEFAULT_BEDROCK_MODEL_ID)!.entry.lifecycle.status).toBe('active');
  });

  it('allows only current models by default, by an id callable on demand', () => {
    expect(DEFAULT_BEDROCK_MODEL_IDS).toContain(DEFAULT_BEDROCK_MODEL_ID);
    for (const id of DEFAULT_BEDROCK_MODEL_IDS) {
      const resolved = resolveModel(id)!;
      expect(resolved.entry.lifecycle.status).toBe('active');
      expect(resolved.entry.requiresInferenceProfile ? resolved.profile : id).toBe(id);
    }
  });
});

describe('resolveModel', () => {
  it('resolves a base id to itself', () => {
    expect(resolveModel(HAIKU)).toEqual({ entry: catalogueEntry(HAIKU), invokeId: HAIKU });
  });

  it.each(['us', 'eu', 'apac', 'jp', 'global'])('resolves a %s. system profile to its base model', (prefix) => {
    const id = `${prefix}.anthropic.claude-opus-4-6-v1`;
    const resolved = resolveModel(id)!;
    expect(resolved.entry.id).toBe('anthropic.claude-opus-4-6-v1');
    expect(resolved).toMatchObject({ invokeId: id, profile: id });
  });

  it('resolves foundation-model and system inference-profile ARNs', () => {
    const profileArn = `arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${HAIKU}`;
    expect(resolveModel(profileArn)).toMatchObject({ invokeId: profileArn, profile: profileArn, entry: { id: HAIKU } });
    const modelArn = `arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0`;
    expect(resolveModel(modelArn)).toMatchObject({ invokeId: modelArn, entry: { id: 'amazon.nova-lite-v1:0' } });
  });

  it('resolves an application inference profile ARN only through a configured mapping or discovery', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    expect(resolveModel(arn)).toBeUndefined();
    expect(resolveModel(arn, { aliases: { [arn]: HAIKU } })).toMatchObject({ invokeId: arn, profile: arn, entry: { id: HAIKU } });
    expect(resolveModel(arn, { profiles: new Map([[arn, 'amazon.nova-pro-v1:0']]) })!.entry.id).toBe('amazon.nova-pro-v1:0');
  });

  it('returns undefined for ids it does not know, and for profiles of unknown or local models', () => {
    expect(resolveModel('acme.unknown-v1:0')).toBeUndefined();
    expect(resolveModel('us.acme.unknown-v1:0')).toBeUndefined();
    expect(resolveModel('xx.anthropic.claude-opus-4-6-v1')).toBeUndefined();
    expect(resolveModel(`us.${LOCAL_MODEL_ID}`)).toBeUndefined();
  });

  it('parses alias pairs and refuses a malformed one', () => {
    expect(parseAliases(['arn:x=amazon.nova-lite-v1:0'])).toEqual(new Map([['arn:x', 'amazon.nova-lite-v1:0']]));
    expect(() => parseAliases(['no-equals'])).toThrow(/id=base-model-id/);
  });
});

describe('conservativeEntry', () => {
  it('gives an unknown model conservative limits, Converse, no caching and unknown prices', () => {
    const entry = conservativeEntry('us.acme.vision-v2:0');
    expect(entry).toMatchObject({
      provider: 'acme',
      apiFamily: 'converse',
      conservative: true,
      maxOutputTokens: 4096,
      promptCaching: null,
      images: { maxCount: 5, maxBytes: 3_750_000, longEdge: 1568 },
    });
    expect(Number.isNaN(entry.prices.input)).toBe(true);
  });

  it('backs modelInfo for ids the catalogue does not know', () => {
    expect(modelInfo('acme.vision-v2:0')).toMatchObject({ id: 'acme.vision-v2:0', maxImages: 5, maxOutputTokens: 4096 });
    expect(modelInfo(`us.${HAIKU}`)).toMatchObject({ id: `us.${HAIKU}`, name: 'Claude Haiku 4.5', maxImages: 20 });
  });
});
