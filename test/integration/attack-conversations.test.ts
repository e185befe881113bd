import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truncateForMessage } from '../../api/errors.js';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { startGateway } from '../helpers/gateway.js';
import { collect, collectWs, postGraphQL, sseSubscribe, wsClient } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

// Hostile conversations, prefixes, model ids and upstream counts against a
// gateway in AWS mode, with the embedded endpoint standing in for Bedrock.

const SUBSCRIPTION =
  'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done answerPrefix usage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens costUsd } } }';
const MUTATION =
  'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text answerPrefix usage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens costUsd } } }';
const ESTIMATE =
  'query ($input: DescribeImageInput!) { estimateDescription(input: $input) { modelId inputTokens exact cacheableInputTokens maxOutputTokens minCostUsd maxCostUsd } }';

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const NOVA = 'amazon.nova-lite-v1:0';
const LLAMA = 'us.meta.llama4-maverick-17b-instruct-v1:0';
const UNKNOWN = 'acme.vision-v1:0';
const HISTORY = [
  { role: 'USER', text: 'What is this?' },
  { role: 'ASSISTANT', text: 'A blue rectangle.' },
];

let upstream: LocalBedrock;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let image: string;

beforeAll(async () => {
  image = base64(await solidImage('png', 64, 48));
  upstream = await startLocalBedrock();
  gateway = await startGateway(
    { BEDROCK_MODE: 'aws', ALLOWED_MODEL_IDS: [HAIKU, NOVA, LLAMA, UNKNOWN].join(','), DEFAULT_MODEL_ID: HAIKU, MODEL_DISCOVERY_INTERVAL_MS: '0' },
    { endpoint: upstream.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const input = (extra: Record<string, unknown> = {}) => ({ input: { images: [{ base64: image }], history: HISTORY, prompt: 'And?', ...extra } });

/** The error code each way of asking gives, and how many requests reached the endpoint meanwhile. */
async function everyTransport(variables: Record<string, unknown>) {
  const before = upstream.requests.length;
  const mutation = await postGraphQL(gateway.graphqlUrl, MUTATION, variables);
  const sse = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables));
  const client = wsClient(gateway.wsUrl);
  const ws = await collectWs(client, SUBSCRIPTION, variables);
  await client.dispose();
  const estimate = await postGraphQL(gateway.graphqlUrl, ESTIMATE, variables);
  return {
    codes: [mutation, sse[0]!, ws[0]!, estimate].map((result) => result.errors?.[0]?.extensions?.code),
    upstreamRequests: upstream.requests.length - before,
  };
}

describe('text that is not well-formed Unicode', () => {
  it.each([
    ['a history turn', { history: [{ role: 'USER', text: 'Cut in half: \ud83c' }, HISTORY[1]] }],
    ['the prompt', { prompt: '\udf0d first' }],
    ['the answer prefix', { answerPrefix: 'It shows \ud83c' }],
    ['the system prompt', { system: 'Be brief \ud800.' }],
    ['a stop sequence', { stopSequences: ['\udc00'] }],
  ])('in %s is refused with BAD_USER_INPUT on every transport, before any upstream request', async (_name, extra) => {
    const { codes, upstreamRequests } = await everyTransport(input(extra));
    expect(codes).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(upstreamRequests).toBe(0);
  });

  it('passes whole emoji and other scripts through to the model as sent', async () => {
    const history = [
      { role: 'USER', text: 'Was ist das? 🌍👨‍👩‍👧 — 日本語' },
      { role: 'ASSISTANT', text: 'Ein Rechteck ☕' },
    ];
    upstream.script({ kind: 'text', deltas: ['Blau 🌊'] });
    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, input({ history, prompt: 'Farbe? 🎨' }));
    expect(once.errors).toBeUndefined();
    const { messages } = upstream.requests.at(-1)!.body as { messages: { content: { type: string; text?: string }[] }[] };
    expect(messages.map((m) => m.content.at(-1)!.text)).toEqual([history[0]!.text, history[1]!.text, 'Farbe? 🎨']);
  });
});

describe('token counts from upstream that are no counts', () => {
  async function metricLines(): Promise<string[]> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return text.split('\n').filter((line) => /^gateway_(tokens_total|cost_usd_total)\{/.test(line));
  }

  it.each([
    ['Anthropic Messages', HAIKU],
    ['Converse', NOVA],
  ])('through %s are dropped: the answer arrives, its cost is not negative, and the counters stay sane', async (_name, modelId) => {
    const usage = { inputTokens: -1000, outputTokens: 2.5, cacheReadInputTokens: -7, cacheWriteInputTokens: 1e12 };
    upstream.script({ kind: 'text', deltas: ['Blue.'], usage });
    const streamed = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input({ modelId })));
    expect(streamed.flatMap((r) => r.errors ?? [])).toEqual([]);
    const last = streamed.at(-1)!.data!.describeImage;
    expect(last.done).toBe(true);
    for (const count of ['inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens']) {
      expect(Number.isInteger(last.usage[count]) && last.usage[count] >= 0).toBe(true);
    }
    expect(last.usage.costUsd).toBeGreaterThanOrEqual(0);

    upstream.script({ kind: 'text', deltas: ['Blue.'], usage });
    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, input({ modelId }));
    expect(once.errors).toBeUndefined();
    expect(once.data!.describeImage.usage.costUsd).toBeGreaterThanOrEqual(0);

    for (const line of await metricLines()) {
      const value = Number(line.split(' ').at(-1));
      expect(Number.isFinite(value) && value >= 0, line).toBe(true);
    }
  });
});

describe('estimateDescription through Converse', () => {
  it('counts the very messages, system prompt and model fields describeImage then sends', async () => {
    const local = await startGateway({ LOCAL_MODEL_API: 'converse' });
    try {
      const endpoint = local.localBedrock!;
      const variables = input({ system: 'Be brief.', topK: 5, answerPrefix: 'It is' });
      const estimate = await postGraphQL(local.graphqlUrl, ESTIMATE, variables);
      expect(estimate.errors).toBeUndefined();
      const counted = endpoint.requests.at(-1)!;
      expect(counted.operation).toBe('count-tokens');
      const once = await postGraphQL(local.graphqlUrl, MUTATION, variables);
      expect(once.errors).toBeUndefined();
      const sent = endpoint.requests.at(-1)!.body as Record<string, unknown>;
      expect(sent.additionalModelRequestFields).toEqual({ top_k: 5 });
      expect((counted.body as { input: { converse: unknown } }).input.converse).toEqual({
        messages: sent.messages,
        system: sent.system,
        additionalModelRequestFields: sent.additionalModelRequestFields,
      });
    } finally {
      await local.stop();
    }
  });
});

describe('an application inference profile ARN', () => {
  const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';

  it("takes topK under its model's own field name, which the ARN does not spell", async () => {
    const mapped = await startGateway(
      { BEDROCK_MODE: 'aws', ALLOWED_MODEL_IDS: `${PROFILE_ARN}=${NOVA}`, MODEL_DISCOVERY_INTERVAL_MS: '0' },
      { endpoint: upstream.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
    );
    try {
      upstream.script({ kind: 'text', deltas: ['Blue.'] });
      const once = await postGraphQL(mapped.graphqlUrl, MUTATION, input({ modelId: PROFILE_ARN, topK: 20 }));
      expect(once.errors).toBeUndefined();
      const sent = upstream.requests.at(-1)!;
      expect(sent.modelId).toBe(PROFILE_ARN);
      expect((sent.body as Record<string, unknown>).additionalModelRequestFields).toEqual({ inferenceConfig: { topK: 20 } });
    } finally {
      await mapped.stop();
    }
  });
});

describe('what the hostile reading found holding', () => {
  it('refuses an answer prefix for a model that does not continue one, on every transport, before any upstream request', async () => {
    const { codes, upstreamRequests } = await everyTransport(input({ modelId: LLAMA, answerPrefix: 'It is ' }));
    expect(codes).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(upstreamRequests).toBe(0);
  });

  it('estimates a model outside the catalogue with unknown (null) prices and no upstream request, and prices its answer null', async () => {
    const before = upstream.requests.length;
    const estimate = await postGraphQL(gateway.graphqlUrl, ESTIMATE, input({ modelId: UNKNOWN }));
    expect(estimate.data!.estimateDescription).toMatchObject({ modelId: UNKNOWN, exact: false, minCostUsd: null, maxCostUsd: null });
    expect(upstream.requests.length).toBe(before);
    upstream.script({ kind: 'text', deltas: ['Blue.'], usage: { inputTokens: 10, outputTokens: 2 } });
    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, input({ modelId: UNKNOWN }));
    expect(once.data!.describeImage.usage).toMatchObject({ inputTokens: 10, outputTokens: 2, costUsd: null });
  });

  it('sends no cache point to a model without prompt caching, however large the images', async () => {
    const large = base64(await solidImage('png', 1568, 1045));
    for (const modelId of [LLAMA, UNKNOWN]) {
      upstream.script({ kind: 'text', deltas: ['Blue.'] });
      const once = await postGraphQL(gateway.graphqlUrl, MUTATION, { input: { modelId, images: [{ base64: large }, { base64: large }] } });
      expect(once.errors).toBeUndefined();
      expect(JSON.stringify(upstream.requests.at(-1)!.body)).not.toContain('cachePoint');
    }
  });

  it('reaches no model by another spelling of an allowed id, and keeps the message short for a long one', async () => {
    for (const modelId of [` ${NOVA}`, NOVA.toUpperCase(), `us.${NOVA}`, `arn:aws:bedrock:us-east-1::foundation-model/${NOVA}`, `${LLAMA.slice(3)}`, `us.${'x'.repeat(100_000)}`]) {
      const once = await postGraphQL(gateway.graphqlUrl, ESTIMATE, input({ modelId }));
      expect(once.errors![0]!.extensions!.code, modelId.slice(0, 60)).toBe('MODEL_NOT_ALLOWED');
      expect(once.errors![0]!.message.length).toBeLessThan(500);
    }
  });
});

describe('a blank system prompt', () => {
  it.each([
    ['empty', ''],
    ['only whitespace', ' \n\t'],
  ])('(%s) is refused with BAD_USER_INPUT on every transport, before any upstream request', async (_name, system) => {
    const { codes, upstreamRequests } = await everyTransport(input({ modelId: NOVA, system }));
    expect(codes).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(upstreamRequests).toBe(0);
  });
});

describe('whitespace JavaScript does not count but Java and Python do (U+001C–U+001F, U+0085)', () => {
  it.each([
    ['a history turn', { history: [{ role: 'USER', text: '\x1c\x1f' }, HISTORY[1]] }],
    ['the prompt', { prompt: '\x1e ' }],
    ['the system prompt', { system: '\x85' }],
    ['the answer prefix', { answerPrefix: '\x1d\n' }],
    ['a stop sequence', { stopSequences: ['\x1f'] }],
  ])('makes %s blank: refused on every transport before any upstream request', async (_name, extra) => {
    const { codes, upstreamRequests } = await everyTransport(input(extra));
    expect(codes).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(upstreamRequests).toBe(0);
  });

  it('is cut from the end of an answer prefix, like any trailing whitespace', async () => {
    upstream.script({ kind: 'text', deltas: [' blue.'] });
    const once = await postGraphQL(gateway.graphqlUrl, MUTATION, input({ answerPrefix: 'It is\x85 \x1f' }));
    expect(once.errors).toBeUndefined();
    expect(once.data!.describeImage.answerPrefix).toBe('It is');
    const { messages } = upstream.requests.at(-1)!.body as { messages: { role: string; content: { text?: string }[] }[] };
    expect(messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'It is' }] });
  });
});

describe('a stream cancelled over graphql-ws after reading from the prompt cache', () => {
  it('is accounted with its cache reads and a finite, non-negative cost', async () => {
    const metric = async (pattern: RegExp) => {
      const line = (await (await fetch(`${gateway.url}/metrics`)).text()).split('\n').find((l) => pattern.test(l));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const cacheRead = new RegExp(`^gateway_tokens_total\\{model="${HAIKU.replace(/\./g, '\\.')}",direction="cache_read"\\}`);
    const cost = new RegExp(`^gateway_cost_usd_total\\{model="${HAIKU.replace(/\./g, '\\.')}"\\}`);
    const [readBefore, costBefore] = [await metric(cacheRead), await metric(cost)];
    upstream.script({ kind: 'text', deltas: Array(200).fill('x '), paceMs: 10, usage: { inputTokens: 50, outputTokens: 200, cacheReadInputTokens: 5000 } });
    const client = wsClient(gateway.wsUrl);
    let chunks = 0;
    await new Promise<void>((resolve) => {
      const stop = client.subscribe(
        { query: SUBSCRIPTION, variables: input({ modelId: HAIKU }) },
        { next: () => void (++chunks === 3 && (stop(), resolve())), error: () => resolve(), complete: () => resolve() },
      );
    });
    await client.dispose();
    await expect.poll(() => metric(cacheRead)).toBe(readBefore + 5000);
    const spent = (await metric(cost)) - costBefore;
    // 50 input at $1/M, 5,000 cache reads at $0.10/M, and at least the three deltas out at $5/M.
    expect(spent).toBeGreaterThanOrEqual((50 * 1 + 5000 * 0.1 + 3 * 5) / 1e6 - 1e-9);
    expect(spent).toBeLessThan((50 * 1 + 5000 * 0.1 + 200 * 5) / 1e6);
  });
});

describe('long input of emoji echoed in an error message', () => {
  it('is cut between characters, never inside one', async () => {
    expect(truncateForMessage('x' + '🌍'.repeat(100)).isWellFormed()).toBe(true);
    expect(truncateForMessage('🌍'.repeat(100)).isWellFormed()).toBe(true);
    for (const lead of ['', 'x']) {
      // An unknown field: its name is echoed quoted, and unquoted inside the value.
      const variables = { input: { images: [], [`${lead}${'🌍'.repeat(400)}`]: 1 } };
      const once = await postGraphQL(gateway.graphqlUrl, ESTIMATE, variables);
      expect(once.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(once.errors![0]!.message.length).toBeLessThan(1000);
      expect(once.errors![0]!.message.isWellFormed(), JSON.stringify(once.errors![0]!.message)).toBe(true);
    }
  });

  it('as a model id is cut in the error message between characters, never inside one', async () => {
    for (const lead of ['', 'x']) {
      const modelId = lead + '🌍'.repeat(100);
      const once = await postGraphQL(gateway.graphqlUrl, ESTIMATE, input({ modelId }));
      const { message } = once.errors![0]!;
      expect(once.errors![0]!.extensions!.code).toBe('MODEL_NOT_ALLOWED');
      expect(message.length).toBeLessThan(500);
      expect(message.isWellFormed(), JSON.stringify(message)).toBe(true);
    }
  });
});
