import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../api/bedrock/catalogue/index.js';
import { onDemandId } from '../../api/bedrock/models.js';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { startGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, sseSubscribe } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

// AWS mode with a Bedrock-compatible endpoint standing in for Bedrock: each
// current vision model goes through the API family its catalogue entry names,
// and each model's own limits are checked before anything is sent.

const id = (base: string) => onDemandId(resolveModel(base)!.entry);
const NOVA = id('amazon.nova-lite-v1:0');
const LLAMA = id('meta.llama4-maverick-17b-instruct-v1:0');
const PIXTRAL = id('mistral.pixtral-large-2502-v1:0');
const CLAUDE_PROFILE = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const CLAUDE_BASE = 'anthropic.claude-haiku-4-5-20251001-v1:0';

const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done stopReason modelId usage { inputTokens outputTokens } } }';
const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text modelId } }';
// Multi-byte text cut across deltas: a surrogate pair and accented letters.
const DELTAS = ['Un caf', 'é ☕ et un ', '\ud83c', '\udf0d monde', ' — fin.'];

let upstream: LocalBedrock;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let image: string;

beforeAll(async () => {
  image = base64(await solidImage('png', 64, 48));
  upstream = await startLocalBedrock();
  gateway = await startGateway(
    {
      BEDROCK_MODE: 'aws',
      ALLOWED_MODEL_IDS: [NOVA, LLAMA, PIXTRAL, CLAUDE_PROFILE, CLAUDE_BASE].join(','),
      DEFAULT_MODEL_ID: CLAUDE_PROFILE,
      MODEL_DISCOVERY_INTERVAL_MS: '0',
    },
    { endpoint: upstream.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
  );
});
afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
});

const input = (modelId: string, extra: Record<string, unknown> = {}) => ({ input: { images: [{ base64: image }], modelId, ...extra } });

describe('every current vision model through its API family', () => {
  it.each([
    ['Amazon Nova Lite', NOVA, 'converse-stream'],
    ['Llama 4 Maverick', LLAMA, 'converse-stream'],
    ['Pixtral Large', PIXTRAL, 'converse-stream'],
    ['Claude Haiku 4.5 through a us. inference profile', CLAUDE_PROFILE, 'invoke-with-response-stream'],
  ])('%s streams the endpoint\'s text exactly', async (_name, modelId, operation) => {
    const before = upstream.requests.length;
    upstream.script({ kind: 'text', deltas: DELTAS, usage: { inputTokens: 1200, outputTokens: 9 } });
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input(modelId)));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(results.map((r) => r.data!.describeImage.text).join('')).toBe(DELTAS.join(''));
    expect(results.at(-1)!.data!.describeImage).toMatchObject({ done: true, modelId, usage: { inputTokens: 1200, outputTokens: 9 } });
    expect(upstream.requests.length).toBe(before + 1);
    const received = upstream.requests.at(-1)!;
    expect(received.operation).toBe(operation);
    expect(received.modelId).toBe(modelId);
  });

  it('sends an answer prefix to Nova as the final assistant turn and streams only what follows it', async () => {
    upstream.script({ kind: 'text', deltas: [' a cup of coffee.'] });
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, input(NOVA, { answerPrefix: 'It shows' })));
    expect(results.map((r) => r.data!.describeImage.text).join('')).toBe(' a cup of coffee.');
    const body = upstream.requests.at(-1)!.body as { messages: { role: string; content: { text?: string }[] }[] };
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'It shows' }] });
  });

  it('answers the mutation through Converse for a Converse model', async () => {
    upstream.script({ kind: 'text', deltas: DELTAS });
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, input(NOVA));
    expect(result.data!.describeImage).toEqual({ text: DELTAS.join(''), modelId: NOVA });
    expect(upstream.requests.at(-1)!.operation).toBe('converse');
  });
});

describe("each model's own limits, refused before any upstream request", () => {
  it.each([
    ['six images for Pixtral Large (at most five)', () => input(PIXTRAL, { images: Array(6).fill({ base64: '' }) }), 'TOO_MANY_IMAGES'],
    ['six images for Llama 4 (at most five)', () => input(LLAMA, { images: Array(6).fill({ base64: '' }) }), 'TOO_MANY_IMAGES'],
    ['topK for Llama 4, which has none', () => input(LLAMA, { topK: 10 }), 'BAD_USER_INPUT'],
    ['topK above Nova\'s 128', () => input(NOVA, { topK: 129 }), 'BAD_USER_INPUT'],
    ['temperature with topP for Claude Haiku 4.5', () => input(CLAUDE_PROFILE, { temperature: 0.5, topP: 0.9 }), 'BAD_USER_INPUT'],
    ['an answer prefix for Llama 4, which is not known to continue one', () => input(LLAMA, { answerPrefix: 'In short:' }), 'BAD_USER_INPUT'],
    ['more output tokens than Nova Lite writes', () => input(NOVA, { maxTokens: 5001 }), 'BAD_USER_INPUT'],
    ['Claude 3 Haiku, past its end of life', () => input('anthropic.claude-3-haiku-20240307-v1:0'), 'MODEL_END_OF_LIFE'],
    ['a base id Bedrock serves only through a profile', () => input(CLAUDE_BASE), 'MODEL_NOT_ALLOWED'],
  ])('%s', async (_name, variables, code) => {
    const before = upstream.requests.length;
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    expect(result.errors![0]!.extensions!.code).toBe(code);
    expect(upstream.requests.length).toBe(before);
  });

  it('names the replacement of an end-of-life model', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, input('anthropic.claude-3-haiku-20240307-v1:0'));
    expect(result.errors![0]!.message).toMatch(/end of life.*Claude Haiku 4\.5/);
  });
});
