import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalBedrock } from '../../api/local/endpoint.js';
import { startGateway } from '../helpers/gateway.js';
import { collect, collectWs, postGraphQL, sseSubscribe, wsClient, type Result } from '../helpers/graphql.js';
import { solidImage } from '../helpers/images.js';

const SUBSCRIPTION = /* GraphQL */ `
  subscription Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      text done answerPrefix
      usage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens costUsd }
      description { text answerPrefix usage { inputTokens outputTokens cacheReadInputTokens costUsd } }
    }
  }
`;
const MUTATION = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) { text answerPrefix usage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens costUsd } }
  }
`;
const ESTIMATE = /* GraphQL */ `
  query Estimate($input: DescribeImageInput!) {
    estimateDescription(input: $input) { modelId inputTokens exact cacheableInputTokens maxOutputTokens minCostUsd maxCostUsd }
  }
`;

type Chunk = {
  text: string;
  done: boolean;
  answerPrefix: string | null;
  usage: { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number; costUsd: number | null } | null;
  description: { text: string; answerPrefix: string | null } | null;
};
const chunksOf = (results: Result[]) => results.map((r) => r.data?.describeImage as Chunk).filter(Boolean);

interface SentMessage {
  role: string;
  content: { type: string; text?: string; cache_control?: unknown }[];
}

let gateway: Awaited<ReturnType<typeof startGateway>>;
let upstream: LocalBedrock;
let uploadId: string;
const lines: Record<string, any>[] = [];

async function upload(file: Buffer, url = gateway.graphqlUrl, headers: Record<string, string> = {}): Promise<string> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: 'mutation ($file: File!) { uploadImage(file: $file) { id } }', variables: { file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([new Uint8Array(file)], { type: 'image/png' }), 'photo.png');
  const response = await fetch(url, { method: 'POST', headers: { 'x-graphql-yoga-csrf': '1', ...headers }, body: form });
  return ((await response.json()) as { data: { uploadImage: { id: string } } }).data.uploadImage.id;
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)));
      callback();
    },
  });
  gateway = await startGateway({ MAX_HISTORY_TURNS: '4', MAX_PROMPT_CHARS: '500', MAX_REQUEST_TEXT_CHARS: '1000' }, undefined, { logger: pino({ level: 'info' }, sink) });
  upstream = gateway.localBedrock!;
  uploadId = await upload(await solidImage('png', 640, 480, '#884422'));
});
afterAll(() => gateway.stop());
beforeEach(() => {
  upstream.paceMs = 0;
});

const HISTORY = [
  { role: 'USER', text: 'Describe this image.' },
  { role: 'ASSISTANT', text: 'A brown rectangle.' },
];
const followUp = (extra: Record<string, unknown> = {}) => ({
  input: { images: [{ uploadId }], history: HISTORY, prompt: 'What colour is it exactly?', ...extra },
});

/** The messages the endpoint received in its last request. */
const lastMessages = () => (upstream.requests.at(-1)!.body as { messages: SentMessage[] }).messages;

function expectWellFormedFollowUp(messages: SentMessage[], prefix?: string) {
  expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', ...(prefix ? ['assistant'] : [])]);
  expect(messages[0]!.content.map((c) => c.type)).toEqual(['image', 'text']);
  expect(messages[0]!.content[1]!.text).toBe('Describe this image.');
  expect(messages[1]!.content).toEqual([{ type: 'text', text: 'A brown rectangle.' }]);
  expect(messages[2]!.content).toEqual([{ type: 'text', text: 'What colour is it exactly?' }]);
  if (prefix) expect(messages[3]!.content).toEqual([{ type: 'text', text: prefix }]);
  expect(messages.slice(1).flatMap((m) => m.content).filter((c) => c.type === 'image')).toEqual([]);
}

describe('a follow-up question about uploaded images', () => {
  it('reaches the upstream as one multi-turn request over graphql-ws: images in the first user turn only, prefix last', async () => {
    const client = wsClient(gateway.wsUrl);
    const before = upstream.requests.length;
    const results = await collectWs(client, SUBSCRIPTION, followUp({ answerPrefix: 'The colour is ' }));
    await client.dispose();
    expect(upstream.requests.length).toBe(before + 1);
    expectWellFormedFollowUp(lastMessages(), 'The colour is');

    const chunks = chunksOf(results);
    const last = chunks.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.answerPrefix).toBe('The colour is');
    // The chunks carry only the generated text; the last offers it whole.
    const streamed = chunks.map((c) => c.text).join('');
    expect(streamed).not.toMatch(/^The colour is/);
    expect(last.description).toMatchObject({ text: streamed, answerPrefix: 'The colour is' });
  });

  it('works the same over SSE and the mutation', async () => {
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, followUp()));
    expectWellFormedFollowUp(lastMessages());
    const last = chunksOf(results).at(-1)!;
    expect(last.description!.text).toBe(chunksOf(results).map((c) => c.text).join(''));
    expect(last.answerPrefix).toBeNull();

    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, followUp({ answerPrefix: 'Brown' }));
    expect(once.errors).toBeUndefined();
    expectWellFormedFollowUp(lastMessages(), 'Brown');
    expect(once.data!.describeImage.answerPrefix).toBe('Brown');
  });

  it.each([
    ['starts with ASSISTANT', [{ role: 'ASSISTANT', text: 'a' }, { role: 'USER', text: 'b' }]],
    ['does not alternate', [{ role: 'USER', text: 'a' }, { role: 'USER', text: 'b' }]],
    ['ends with USER', [{ role: 'USER', text: 'a' }]],
    ['has an empty turn', [{ role: 'USER', text: '' }, { role: 'ASSISTANT', text: 'b' }]],
    ['is longer than MAX_HISTORY_TURNS', Array.from({ length: 6 }, (_, i) => ({ role: i % 2 ? 'ASSISTANT' : 'USER', text: `t${i}` }))],
    ['has a turn longer than MAX_PROMPT_CHARS', [{ role: 'USER', text: 'a' }, { role: 'ASSISTANT', text: 'b'.repeat(501) }]],
    ['holds more text than MAX_REQUEST_TEXT_CHARS', [{ role: 'USER', text: 'a'.repeat(500) }, { role: 'ASSISTANT', text: 'b'.repeat(500) }]],
  ])('refuses a history that %s with BAD_USER_INPUT and no upstream request', async (_name, history) => {
    const before = upstream.requests.length;
    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, followUp({ history }));
    expect(once.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const streamed = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, followUp({ history })));
    expect(streamed[0]!.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const estimate = await postGraphQL(gateway.graphqlUrl, ESTIMATE, followUp({ history }));
    expect(estimate.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(upstream.requests.length).toBe(before);
  });
});

describe('estimateDescription', () => {
  it('agrees with the input tokens the model then counts, and calls no model', async () => {
    const invocations = () => upstream.requests.filter((r) => r.operation !== ('count-tokens' as string)).length;
    const before = invocations();
    const estimate = await postGraphQL(gateway.graphqlUrl, ESTIMATE, followUp());
    expect(estimate.errors).toBeUndefined();
    expect(invocations()).toBe(before);
    const { inputTokens, maxOutputTokens, modelId, exact } = estimate.data!.estimateDescription;
    expect(modelId).toBe('local.image-inspector');
    expect(exact).toBe(true);
    expect(upstream.requests.at(-1)!.operation).toBe('count-tokens');
    expect(maxOutputTokens).toBe(1024);

    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, followUp());
    const usage = once.data!.describeImage.usage;
    expect(inputTokens).toBe(usage.inputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens);
  });

  it("uses only the caller's own uploads, like describeImage", async () => {
    const keyed = await startGateway({ API_KEYS: 'key-one-123456,key-two-123456' });
    try {
      const one = { authorization: 'Bearer key-one-123456' };
      const two = { authorization: 'Bearer key-two-123456' };
      const id = await upload(await solidImage('png', 64, 48), keyed.graphqlUrl, one);
      const input = { input: { images: [{ uploadId: id }] } };
      const own = await postGraphQL(keyed.graphqlUrl, ESTIMATE, input, { headers: one });
      expect(own.errors).toBeUndefined();
      const other = await postGraphQL(keyed.graphqlUrl, ESTIMATE, input, { headers: two });
      expect(other.errors![0]!.extensions!.code).toBe('UPLOAD_NOT_FOUND');
    } finally {
      await keyed.stop();
    }
  });

  it('gives the same errors as describeImage', async () => {
    const gone = await postGraphQL(gateway.graphqlUrl, ESTIMATE, { input: { images: [{ uploadId: 'nope' }] } });
    expect(gone.errors![0]!.extensions!.code).toBe('UPLOAD_NOT_FOUND');
    const tooMany = await postGraphQL(gateway.graphqlUrl, ESTIMATE, followUp({ maxTokens: 999_999 }));
    expect(tooMany.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('a cancelled stream', () => {
  async function metric(line: RegExp): Promise<number> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const match = text.split('\n').find((l) => line.test(l));
    return match ? Number(match.split(' ').at(-1)) : 0;
  }

  it('is accounted with its input tokens and the output generated before the abort', async () => {
    const inputBefore = await metric(/^gateway_tokens_total\{model="local.image-inspector",direction="input"\}/);
    const outputBefore = await metric(/^gateway_tokens_total\{model="local.image-inspector",direction="output"\}/);
    upstream.script({ kind: 'text', deltas: Array(200).fill('x '), paceMs: 10, usage: { inputTokens: 777, outputTokens: 200 } });
    const controller = new AbortController();
    let received = 0;
    const reading = (async () => {
      for await (const result of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, followUp(), controller.signal)) {
        received += (result.data?.describeImage as Chunk).text.length / 2;
        if (received >= 5) controller.abort();
      }
    })().catch(() => {});
    const request = await upstream.nextRequest();
    await reading;
    await request.settled;
    await expect.poll(() => lines.find((l) => l.event === 'describe' && l.outcome === 'cancelled')).toBeTruthy();

    const line = lines.find((l) => l.event === 'describe' && l.outcome === 'cancelled')!;
    expect(line.usage.inputTokens).toBe(777);
    expect(line.usage.outputTokens).toBeGreaterThanOrEqual(5);
    expect(line.usage.outputTokens).toBeLessThan(200);
    expect(await metric(/^gateway_describe_requests_total\{operation="subscription",outcome="cancelled"/)).toBe(1);
    expect((await metric(/^gateway_tokens_total\{model="local.image-inspector",direction="input"\}/)) - inputBefore).toBe(777);
    expect((await metric(/^gateway_tokens_total\{model="local.image-inspector",direction="output"\}/)) - outputBefore).toBe(
      line.usage.outputTokens,
    );
  });

  it('through Converse, which reports input tokens only at the end, is accounted with the estimate of its input', async () => {
    const sink: Record<string, any>[] = [];
    const converse = await startGateway({ LOCAL_MODEL_API: 'converse' }, undefined, {
      logger: pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (sink.push(JSON.parse(String(chunk))), done()) })),
    });
    try {
      const image = (await solidImage('png', 300, 200, '#556677')).toString('base64');
      converse.localBedrock!.script({ kind: 'text', deltas: Array(200).fill('y '), paceMs: 10, usage: { inputTokens: 999, outputTokens: 200 } });
      const controller = new AbortController();
      let received = 0;
      const reading = (async () => {
        for await (const result of sseSubscribe(converse.graphqlUrl, SUBSCRIPTION, { input: { images: [{ base64: image }], prompt: 'Hi' } }, controller.signal)) {
          received += (result.data?.describeImage as Chunk).text.length / 2;
          if (received >= 3) controller.abort();
        }
      })().catch(() => {});
      const request = await converse.localBedrock!.nextRequest();
      expect(request.operation).toBe('converse-stream');
      await reading;
      await expect.poll(() => sink.find((l) => l.event === 'describe' && l.outcome === 'cancelled')).toBeTruthy();
      const line = sink.find((l) => l.event === 'describe' && l.outcome === 'cancelled')!;
      // 300 × 200 / 750 = 80 image tokens, plus "Hi".
      expect(line.usage.inputTokens).toBe(80 + 1);
      expect(line.usage.outputTokens).toBeGreaterThanOrEqual(3);
      expect(line.usage.outputTokens).toBeLessThan(200);
    } finally {
      await converse.stop();
    }
  });
});

describe('prompt caching and cost on Bedrock models (aws mode against the endpoint)', () => {
  const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
  const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
  const NOVA = 'amazon.nova-lite-v1:0';
  let bedrock: LocalBedrock;
  let aws: Awaited<ReturnType<typeof startGateway>>;
  let large: string;
  let small: string;

  beforeAll(async () => {
    const { startLocalBedrock } = await import('../../api/local/endpoint.js');
    bedrock = await startLocalBedrock();
    aws = await startGateway(
      { BEDROCK_MODE: 'aws', ALLOWED_MODEL_IDS: `${SONNET},${HAIKU},${NOVA}`, DEFAULT_MODEL_ID: SONNET },
      { endpoint: bedrock.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } },
    );
    // 1568 × 1045 is 2,185 image tokens by Claude's formula; 640 × 480 is 410.
    large = (await solidImage('png', 1568, 1045, '#225588')).toString('base64');
    small = (await solidImage('png', 640, 480, '#225588')).toString('base64');
  });
  afterAll(async () => {
    await aws?.stop();
    await bedrock?.stop();
  });

  const cacheMarks = () =>
    ((bedrock.requests.at(-1)!.body as { messages: SentMessage[] }).messages).flatMap((m) => m.content.map((c) => (c.cache_control ? c.type : '-')));

  async function ask(modelId: string, images: string[]) {
    bedrock.script({ kind: 'text', deltas: ['A ', 'picture.'], usage: { inputTokens: 1000, outputTokens: 100 } });
    const variables = { input: { modelId, images: images.map((base64) => ({ base64 })), history: HISTORY, prompt: 'More?' } };
    return chunksOf(await collect(sseSubscribe(aws.graphqlUrl, SUBSCRIPTION, variables))).at(-1)!;
  }

  it("puts a cache point after the last image once the images reach the model's minimum", async () => {
    await ask(SONNET, [large]); // 2,185 ≥ 2,048
    expect(cacheMarks()).toEqual(['image', '-', '-', '-']);
    await ask(SONNET, [small]); // 410 < 2,048
    expect(cacheMarks()).toEqual(['-', '-', '-', '-']);
    await ask(HAIKU, [large]); // 2,185 < 4,096
    expect(cacheMarks()).toEqual(['-', '-', '-', '-']);
    await ask(HAIKU, [large, large]); // 4,370 ≥ 4,096
    expect(cacheMarks()).toEqual(['-', 'image', '-', '-', '-']);
    // Nova speaks Converse: the cache point is a block of its own after the images (minimum 1,024).
    await ask(NOVA, [large]);
    const converse = bedrock.requests.at(-1)!;
    expect(converse.operation).toBe('converse-stream');
    const blocks = (converse.body as { messages: { content: Record<string, unknown>[] }[] }).messages.map((m) => m.content.map((c) => Object.keys(c)[0]));
    expect(blocks).toEqual([['image', 'cachePoint', 'text'], ['text'], ['text']]);
    await ask(NOVA, [small]);
    expect(JSON.stringify(bedrock.requests.at(-1)!.body)).not.toContain('cachePoint');
  });

  it("prices the answer at the model's catalogue prices in the final chunk, cache reads and writes at their own rates", async () => {
    const last = await ask(SONNET, [small]);
    // 1,000 input tokens at $3/M and 100 output tokens at $15/M.
    expect(last.usage!.costUsd).toBeCloseTo(0.0045, 10);
    expect(last.description).toMatchObject({ text: 'A picture.' });

    bedrock.script({ kind: 'text', deltas: ['Red.'], usage: { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 2000, cacheWriteInputTokens: 50 } });
    const variables = { input: { modelId: SONNET, images: [{ base64: large }], history: HISTORY, prompt: 'Colour?' } };
    const cached = chunksOf(await collect(sseSubscribe(aws.graphqlUrl, SUBSCRIPTION, variables))).at(-1)!;
    expect(cached.usage).toMatchObject({ inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 2000, cacheWriteInputTokens: 50 });
    expect(cached.usage!.costUsd).toBeCloseTo((100 * 3 + 10 * 15 + 2000 * 0.3 + 50 * 3.75) / 1e6, 10);
    const metrics = await (await fetch(`${aws.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_tokens_total\{model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",direction="cache_read"\} 2000$/m);
  });

  it("asks CountTokens with the base model id, and falls back to the formula when Bedrock will not count; prices from cached reads to cache writes", async () => {
    const before = bedrock.requests.length;
    const variables = { input: { modelId: SONNET, images: [{ base64: large }], prompt: 'What is it?', maxTokens: 100 } };
    const estimate = await postGraphQL(aws.graphqlUrl, ESTIMATE, variables);
    expect(estimate.errors).toBeUndefined();
    // The endpoint counts for its own model only: it refuses, as Bedrock does without bedrock:CountTokens.
    const sent = bedrock.requests.slice(before);
    expect(sent.map((r) => [r.operation, r.modelId])).toEqual([['count-tokens', 'anthropic.claude-sonnet-4-5-20250929-v1:0']]);
    const { inputTokens, exact, cacheableInputTokens, minCostUsd, maxCostUsd } = estimate.data!.estimateDescription;
    expect(exact).toBe(false);
    expect(inputTokens).toBe(2185 + Math.ceil('What is it?'.length / 4));
    expect(cacheableInputTokens).toBe(2185);
    // Cached images read at $0.30/M and no output, up to the images written at $3.75/M and 100 tokens out at $15/M.
    const plain = inputTokens - 2185;
    expect(minCostUsd).toBeCloseTo((plain * 3 + 2185 * 0.3) / 1e6, 7);
    expect(maxCostUsd).toBeCloseTo((plain * 3 + 2185 * 3.75 + 100 * 15) / 1e6, 7);
  });

  it("estimates from the image formula and the text, marked not exact, where the model has no CountTokens", async () => {
    const prompt = 'What is in the picture?';
    const estimate = await postGraphQL(aws.graphqlUrl, ESTIMATE, { input: { modelId: NOVA, images: [{ base64: large }], prompt, maxTokens: 100 } });
    expect(estimate.errors).toBeUndefined();
    const { inputTokens, exact, cacheableInputTokens, minCostUsd } = estimate.data!.estimateDescription;
    expect(exact).toBe(false);
    expect(inputTokens).toBe(2185 + Math.ceil(prompt.length / 4));
    expect(cacheableInputTokens).toBe(2185);
    expect(minCostUsd).toBeCloseTo(((inputTokens - 2185) * 0.06 + 2185 * 0.015) / 1e6, 7);
  });
});

describe('the second question about the same images reads them from the cache (embedded model)', () => {
  for (const api of ['anthropic-messages', 'converse'] as const) {
    it(`through ${api}`, async () => {
      const local = await startGateway({ LOCAL_MODEL_API: api });
      try {
        const image = (await solidImage('png', 320, 240, api === 'converse' ? '#10a050' : '#a01050')).toString('base64');
        const first = { input: { images: [{ base64: image }], prompt: 'Describe it.' } };
        const estimate = await postGraphQL(local.graphqlUrl, ESTIMATE, first);
        const one = chunksOf(await collect(sseSubscribe(local.graphqlUrl, SUBSCRIPTION, first))).at(-1)!;
        expect(one.usage!.cacheReadInputTokens).toBe(0);
        expect(one.usage!.cacheWriteInputTokens).toBeGreaterThan(0);
        const counted = one.usage!.inputTokens + one.usage!.cacheWriteInputTokens;
        expect(estimate.data!.estimateDescription).toMatchObject({ exact: true, inputTokens: counted });

        const followUp = {
          input: { images: [{ base64: image }], history: [{ role: 'USER', text: 'Describe it.' }, { role: 'ASSISTANT', text: one.description!.text }], prompt: 'And?' },
        };
        const two = chunksOf(await collect(sseSubscribe(local.graphqlUrl, SUBSCRIPTION, followUp))).at(-1)!;
        expect(two.usage!.cacheReadInputTokens).toBe(one.usage!.cacheWriteInputTokens);
        expect(two.usage!.costUsd).toBe(0);
      } finally {
        await local.stop();
      }
    });
  }
});
