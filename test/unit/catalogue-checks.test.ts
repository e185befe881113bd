import { describe, expect, it } from 'vitest';
import { catalogueEntry } from '../../api/bedrock/catalogue/index.js';
import { checkImageCount, checkLifecycle, checkParameters, lifecycleVerdict } from '../../api/bedrock/catalogue/checks.js';
import type { CatalogueEntry } from '../../api/bedrock/catalogue/types.js';
import { errorCodeOf } from '../../api/errors.js';

const entry = (id: string) => catalogueEntry(id)!;
const HAIKU_3 = entry('anthropic.claude-3-haiku-20240307-v1:0');
const HAIKU_45 = entry('anthropic.claude-haiku-4-5-20251001-v1:0');
const LLAMA = entry('meta.llama4-scout-17b-instruct-v1:0');
const NOVA = entry('amazon.nova-lite-v1:0');

function thrown(fn: () => unknown): { code?: string; message: string; extensions: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    const e = error as { message: string; extensions: Record<string, unknown> };
    return { code: errorCodeOf(error), message: e.message, extensions: e.extensions };
  }
  throw new Error('expected a throw');
}

describe('checkLifecycle', () => {
  it('refuses an end-of-life model with MODEL_END_OF_LIFE naming the replacement', () => {
    const error = thrown(() => checkLifecycle(HAIKU_3));
    expect(error.code).toBe('MODEL_END_OF_LIFE');
    expect(error.message).toMatch(/Claude 3 Haiku .* reached end of life on Amazon Bedrock on 2026-09-10/);
    expect(error.message).toContain('Claude Haiku 4.5 (anthropic.claude-haiku-4-5-20251001-v1:0)');
    expect(error.extensions).toMatchObject({ replacement: 'anthropic.claude-haiku-4-5-20251001-v1:0', endOfLife: '2026-09-10' });
  });

  const legacy: CatalogueEntry = {
    ...NOVA,
    lifecycle: { status: 'legacy', endOfLife: '2027-03-31', replacement: 'amazon.nova-2-lite-v1:0' },
  };

  it('lets a legacy model through, with a warning that says until when and what replaces it', () => {
    const verdict = checkLifecycle(legacy, new Date('2026-12-01T00:00:00Z'));
    expect(verdict.usable).toBe(true);
    expect(verdict.warning).toMatch(/legacy model on Bedrock: it works until 2027-03-31/);
    expect(verdict.warning).toContain('Amazon Nova 2 Lite');
  });

  it('refuses a legacy model once its end-of-life date has passed (the date itself still works)', () => {
    expect(checkLifecycle(legacy, new Date('2027-03-31T23:00:00Z')).usable).toBe(true);
    expect(thrown(() => checkLifecycle(legacy, new Date('2027-04-01T00:00:00Z'))).code).toBe('MODEL_END_OF_LIFE');
  });

  it('says nothing for an active model', () => {
    expect(lifecycleVerdict(HAIKU_45)).toEqual({ usable: true });
  });
});

describe('checkParameters', () => {
  it('refuses temperature and topP together where the model does (Claude 4.5 and later)', () => {
    const error = thrown(() => checkParameters(HAIKU_45, { temperature: 0.5, topP: 0.9 }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/refuses temperature and topP together/);
  });

  it('accepts either alone, and both together where the model allows it', () => {
    expect(() => checkParameters(HAIKU_45, { temperature: 0.5 })).not.toThrow();
    expect(() => checkParameters(HAIKU_45, { topP: 0.9, topK: 50 })).not.toThrow();
    expect(() => checkParameters(NOVA, { temperature: 0.5, topP: 0.9, topK: 20 })).not.toThrow();
  });

  it('refuses topK on a model without one', () => {
    const error = thrown(() => checkParameters(LLAMA, { topK: 10 }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/has no topK/);
    expect(() => checkParameters(LLAMA, { topK: null })).not.toThrow();
  });

  it('refuses values out of range, with the range in the message', () => {
    expect(thrown(() => checkParameters(HAIKU_45, { temperature: 1.5 })).message).toMatch(/temperature must be 0 to 1/);
    expect(thrown(() => checkParameters(NOVA, { topK: 500 })).message).toMatch(/topK must be 0 to 128/);
    const sonnet55 = entry('anthropic.claude-sonnet-5-5');
    expect(thrown(() => checkParameters(sonnet55, { temperature: 0.2 })).message).toMatch(/temperature must be only 1/);
  });

  it('refuses more output tokens or stop sequences than the model takes', () => {
    expect(thrown(() => checkParameters(LLAMA, { maxTokens: 8001 })).extensions).toMatchObject({ max: 8000 });
    expect(thrown(() => checkParameters(NOVA, { stopSequences: ['a', 'b', 'c', 'd', 'e'] })).code).toBe('BAD_USER_INPUT');
    expect(() => checkParameters(LLAMA, { maxTokens: 8000 })).not.toThrow();
  });
});

describe('checkImageCount', () => {
  it('refuses more images than the model takes with TOO_MANY_IMAGES', () => {
    expect(() => checkImageCount(LLAMA, 5)).not.toThrow();
    const error = thrown(() => checkImageCount(LLAMA, 6));
    expect(error.code).toBe('TOO_MANY_IMAGES');
    expect(error.extensions).toMatchObject({ maxImages: 5 });
    expect(() => checkImageCount(HAIKU_45, 20)).not.toThrow();
  });
});

describe('allowListWarnings', () => {
  it('warns at start about end-of-life, legacy and uncatalogued allowed models, one line each', async () => {
    const { allowListWarnings } = await import('../../api/bedrock/catalogue/checks.js');
    const warnings = allowListWarnings(
      ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'acme.vision-v1:0'],
      {},
    );
    expect(warnings.map((w) => w.modelId)).toEqual(['anthropic.claude-3-5-sonnet-20241022-v2:0', 'acme.vision-v1:0']);
    expect(warnings[0]!.warning).toMatch(/end of life .* Claude Sonnet 4.6/);
    expect(warnings[1]!.warning).toMatch(/conservative limits/);
  });
});
