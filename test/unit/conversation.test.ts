import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../api/bedrock/catalogue/types.js';
import { buildMessagesBody } from '../../api/bedrock/adapters/anthropic-messages.js';
import { buildConverseInput } from '../../api/bedrock/adapters/converse.js';
import type { ModelRequest } from '../../api/bedrock/model-request.js';
import { buildTurns, checkConversation, type ConversationInput } from '../../api/services/describe/conversation.js';
import { costRange, priceUsage } from '../../api/services/describe/cost.js';
import { estimateImageTokens, estimateTextTokens, shouldCacheImages } from '../../api/services/describe/estimate.js';

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return undefined;
};

const conversation = (extra: Partial<ConversationInput> = {}): ConversationInput => ({
  history: [
    { role: 'USER', text: 'Describe this.' },
    { role: 'ASSISTANT', text: 'A street with a sign.' },
  ],
  prompt: 'What does the sign say?',
  ...extra,
});

describe('conversation history', () => {
  it('builds the turns: history in order, then the prompt, then the prefix as a final assistant turn', () => {
    expect(buildTurns(conversation({ answerPrefix: 'The sign says' }))).toEqual([
      { role: 'user', text: 'Describe this.' },
      { role: 'assistant', text: 'A street with a sign.' },
      { role: 'user', text: 'What does the sign say?' },
      { role: 'assistant', text: 'The sign says' },
    ]);
  });

  it('sends a single question as one user turn', () => {
    expect(buildTurns({ prompt: 'Hi' })).toEqual([{ role: 'user', text: 'Hi' }]);
  });

  it("drops the prefix's trailing whitespace, which Anthropic refuses in a final assistant turn", () => {
    expect(buildTurns({ prompt: 'Q', answerPrefix: 'It says ' }).at(-1)).toEqual({ role: 'assistant', text: 'It says' });
  });

  it('accepts a well-formed history', () => {
    expect(() => checkConversation(conversation(), 20)).not.toThrow();
    expect(() => checkConversation({ prompt: 'Q' }, 0)).not.toThrow();
  });

  it.each([
    ['starts with the assistant', [{ role: 'ASSISTANT', text: 'a' }, { role: 'USER', text: 'b' }]],
    ['two user turns in a row', [{ role: 'USER', text: 'a' }, { role: 'USER', text: 'b' }]],
    ['ends with a user turn', [{ role: 'USER', text: 'a' }]],
    ['a blank turn', [{ role: 'USER', text: 'a' }, { role: 'ASSISTANT', text: '  ' }]],
  ] as const)('refuses a history that %s with BAD_USER_INPUT', (_name, history) => {
    expect(codeOf(() => checkConversation({ history: [...history], prompt: 'Q' }, 20))).toBe('BAD_USER_INPUT');
  });

  it('refuses a history longer than the cap', () => {
    expect(codeOf(() => checkConversation(conversation(), 1))).toBe('BAD_USER_INPUT');
  });

  it('refuses a blank answer prefix', () => {
    expect(codeOf(() => checkConversation(conversation({ answerPrefix: ' ' }), 20))).toBe('BAD_USER_INPUT');
  });
});

describe('the multi-turn body of each API family', () => {
  const image = { format: 'png' as const, mediaType: 'image/png', bytes: new Uint8Array([1, 2, 3]) };
  const request = (extra: Partial<ModelRequest> = {}): ModelRequest => ({
    modelId: 'm',
    images: [image, image],
    turns: buildTurns(conversation({ answerPrefix: 'It says' })),
    maxTokens: 10,
    ...extra,
  });

  it('Anthropic Messages: the images in the first user turn only, then every turn in order, the prefix last', () => {
    const body = JSON.parse(buildMessagesBody(request()));
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(body.messages[0].content.map((c: { type: string }) => c.type)).toEqual(['image', 'image', 'text']);
    expect(body.messages[0].content[2].text).toBe('Describe this.');
    expect(body.messages.slice(1).map((m: { content: unknown }) => m.content)).toEqual([
      [{ type: 'text', text: 'A street with a sign.' }],
      [{ type: 'text', text: 'What does the sign say?' }],
      [{ type: 'text', text: 'It says' }],
    ]);
  });

  it('Anthropic Messages: cache_control on the last image only when asked', () => {
    const cached = JSON.parse(buildMessagesBody(request({ cacheImages: true })));
    expect(cached.messages[0].content.map((c: { cache_control?: unknown }) => c.cache_control)).toEqual([
      undefined,
      { type: 'ephemeral' },
      undefined,
    ]);
    expect(buildMessagesBody(request())).not.toContain('cache_control');
  });

  it('Converse: the images and a cachePoint after them in the first user turn, then the turns, the prefix last', () => {
    const { messages } = buildConverseInput(request({ cacheImages: true }));
    expect(messages!.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages![0]!.content!.map((c) => Object.keys(c)[0])).toEqual(['image', 'image', 'cachePoint', 'text']);
    expect(messages!.slice(1).map((m) => m.content)).toEqual([
      [{ text: 'A street with a sign.' }],
      [{ text: 'What does the sign say?' }],
      [{ text: 'It says' }],
    ]);
    expect(JSON.stringify(buildConverseInput(request()).messages)).not.toContain('cachePoint');
  });
});

const prices: CatalogueEntry['prices'] = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

describe('cost', () => {
  it('prices input, output, cache reads and cache writes at their own rates', () => {
    expect(priceUsage({ inputTokens: 1_000_000, outputTokens: 0 }, prices)).toBe(3);
    expect(
      priceUsage({ inputTokens: 100, outputTokens: 200, cacheReadInputTokens: 1000, cacheWriteInputTokens: 2000 }, prices),
    ).toBeCloseTo((100 * 3 + 200 * 15 + 1000 * 0.3 + 2000 * 3.75) / 1e6, 10);
  });

  it('is null without prices (none, or the NaN of a model outside the catalogue)', () => {
    expect(priceUsage({ inputTokens: 1, outputTokens: 1 }, undefined)).toBeNull();
    expect(priceUsage({ inputTokens: 1, outputTokens: 1 }, { input: Number.NaN, output: Number.NaN })).toBeNull();
  });

  it('takes a cache rate the catalogue does not list at the input rate', () => {
    const nova = { input: 0.8, output: 3.2, cacheRead: 0.2 };
    expect(priceUsage({ inputTokens: 0, outputTokens: 0, cacheWriteInputTokens: 1_000_000 }, nova)).toBe(0.8);
    expect(priceUsage({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 1_000_000 }, { input: 2.5, output: 12.5 })).toBe(2.5);
  });

  it('ranges from cached images read and no output to images written and every output token', () => {
    expect(costRange(1500, 1000, prices, 1000)).toEqual({
      minUsd: priceUsage({ inputTokens: 500, outputTokens: 0, cacheReadInputTokens: 1000 }, prices),
      maxUsd: priceUsage({ inputTokens: 500, outputTokens: 1000, cacheWriteInputTokens: 1000 }, prices),
    });
    expect(costRange(10, 10, null)).toBeNull();
  });
});

describe('token estimates and the cache point', () => {
  it("estimates image tokens with the model's formula", () => {
    const images = [{ width: 1000, height: 750 }, { width: 10, height: 10 }];
    expect(estimateImageTokens(images, { kind: 'pixels', pixelsPerToken: 750 })).toBe(1000 + 1);
    expect(estimateImageTokens(images, { kind: 'fixed', tokensPerImage: 258 })).toBe(516);
    expect(estimateTextTokens(['abcd', 'abcde', undefined])).toBe(3);
  });

  it('caches the images only for a model that caches and only from its minimum size', () => {
    expect(shouldCacheImages(null, 5000)).toBe(false);
    expect(shouldCacheImages({ minTokens: 1024 }, 1023)).toBe(false);
    expect(shouldCacheImages({ minTokens: 1024 }, 1024)).toBe(true);
  });
});
