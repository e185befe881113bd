import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalBedrock, ScriptedReply } from '../../api/local/endpoint.js';
import { useGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, sseSubscribe, wsClient, type Result } from '../helpers/graphql.js';
import { base64, bmpImage, phonePhoto, pngBombHeader, solidImage, spoofedPng } from '../helpers/images.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';

const gateway = useGateway();
let upstream: LocalBedrock;
let png: string;

beforeAll(async () => {
  upstream = gateway.localBedrock!;
  png = base64(await solidImage('png'));
});

const withImages = (images: unknown[], extra: Record<string, unknown> = {}) => ({ input: { images, ...extra } });

async function expectServerStillServes() {
  const result = await postGraphQL(gateway.graphqlUrl, MUTATION, withImages([{ base64: png }]));
  expect(result.errors).toBeUndefined();
  expect(result.data!.describeImage.text.length).toBeGreaterThan(0);
}

describe('bad input gets its code and causes no upstream call', () => {
  const jpegHalf = async () => {
    const jpeg = await solidImage('jpeg', 200, 200, '#808000');
    return base64(jpeg.subarray(0, jpeg.length >> 1));
  };
  const cases: [string, () => Promise<Record<string, unknown>> | Record<string, unknown>, string][] = [
    ['bad base64', () => withImages([{ base64: 'iVBORw0K!!!!' }]), 'BAD_USER_INPUT'],
    ['an empty image list', () => withImages([]), 'BAD_USER_INPUT'],
    ['a BMP (wrong format)', () => withImages([{ base64: base64(bmpImage()) }]), 'IMAGE_UNSUPPORTED'],
    ['a text file', () => withImages([{ base64: base64(Buffer.from('just some text')) }]), 'IMAGE_UNSUPPORTED'],
    ['a spoofed PNG', () => withImages([{ base64: base64(spoofedPng()) }]), 'IMAGE_CORRUPT'],
    ['a truncated JPEG', async () => withImages([{ base64: await jpegHalf() }]), 'IMAGE_CORRUPT'],
    ['huge dimensions (decompression bomb)', () => withImages([{ base64: base64(pngBombHeader()) }]), 'IMAGE_TOO_LARGE'],
    ['21 images', () => withImages(Array.from({ length: 21 }, () => ({ base64: png }))), 'TOO_MANY_IMAGES'],
    ['an unknown model', () => withImages([{ base64: png }], { modelId: 'example.no-such-model-v1:0' }), 'MODEL_NOT_ALLOWED'],
    ['a model past its end of life', () => withImages([{ base64: png }], { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }), 'MODEL_END_OF_LIFE'],
    ['maxTokens 0', () => withImages([{ base64: png }], { maxTokens: 0 }), 'BAD_USER_INPUT'],
    ['maxTokens over the model limit', () => withImages([{ base64: png }], { maxTokens: 100_000 }), 'BAD_USER_INPUT'],
    ['temperature 1.5', () => withImages([{ base64: png }], { temperature: 1.5 }), 'BAD_USER_INPUT'],
    ['topP -0.1', () => withImages([{ base64: png }], { topP: -0.1 }), 'BAD_USER_INPUT'],
    ['topK 501', () => withImages([{ base64: png }], { topK: 501 }), 'BAD_USER_INPUT'],
    ['a blank prompt', () => withImages([{ base64: png }], { prompt: '   ' }), 'BAD_USER_INPUT'],
    ['too many stop sequences', () => withImages([{ base64: png }], { stopSequences: Array(9).fill('x') }), 'BAD_USER_INPUT'],
    ['maxTokens of the wrong type', () => withImages([{ base64: png }], { maxTokens: 'ten' }), 'BAD_USER_INPUT'],
    ['both base64 and uploadId', () => withImages([{ base64: png, uploadId: 'x' }]), 'BAD_USER_INPUT'],
    ['a number as base64', () => withImages([{ base64: 12345 }]), 'BAD_USER_INPUT'],
    ['an unknown uploadId', () => withImages([{ uploadId: '00000000-0000-0000-0000-000000000000' }]), 'UPLOAD_NOT_FOUND'],
  ];

  it.each(cases)('%s, as a mutation', async (_name, makeVariables, code) => {
    const before = upstream.requests.length;
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, await makeVariables());
    expect(result.errors?.[0]?.extensions?.code).toBe(code);
    expect(result.errors![0]!.message.length).toBeLessThan(400);
    expect(upstream.requests.length).toBe(before);
  });

  it.each(cases.filter((_, i) => i % 3 === 0))('%s, as a subscription over SSE', async (_name, makeVariables, code) => {
    const before = upstream.requests.length;
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, await makeVariables()));
    expect(results).toHaveLength(1);
    expect(results[0]!.errors?.[0]?.extensions?.code).toBe(code);
    expect(upstream.requests.length).toBe(before);
  });

  it('a File where a base64 string is expected', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: MUTATION, variables: { input: { images: [{ base64: null }] } } }));
    form.set('map', JSON.stringify({ 0: ['variables.input.images.0.base64'] }));
    form.set('0', new Blob([new Uint8Array(await solidImage('png'))]), 'a.png');
    const before = upstream.requests.length;
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
    const result = (await response.json()) as Result;
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(upstream.requests.length).toBe(before);
  });

  it('a request over Bedrock\'s 20 MB payload limit', async () => {
    // 20 noisy JPEGs are each within the per-image limit, but not together.
    const big = base64(await phonePhoto(1080, 810));
    expect(big.length * 20).toBeGreaterThan(21_000_000); // over Bedrock's limit, under yoga's 25 MB body cap
    const before = upstream.requests.length;
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, withImages(Array.from({ length: 20 }, () => ({ base64: big }))));
    expect(result.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstream.requests.length).toBe(before);
  });

  it('says how to reach Bedrock when a Claude model is asked for in local mode', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, withImages([{ base64: png }], { modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' }));
    expect(result.errors![0]!.message).toMatch(/local model because no AWS credentials/);
    expect(result.errors![0]!.extensions!.allowedModelIds).toEqual(['local.image-inspector']);
  });
});

describe('upstream failures map to stable codes and the server keeps serving', () => {
  const httpErrors: [string, ScriptedReply, string, RegExp][] = [
    ['throttling', { kind: 'http-error', status: 429, errorType: 'ThrottlingException', message: 'Too many requests' }, 'UPSTREAM_THROTTLED', /Try again/],
    ['access denied', { kind: 'http-error', status: 403, errorType: 'AccessDeniedException', message: "You don't have access to the model" }, 'UPSTREAM_ACCESS_DENIED', /Model access/],
    ['validation', { kind: 'http-error', status: 400, errorType: 'ValidationException', message: 'messages: bad' }, 'UPSTREAM_VALIDATION', /rejected the request/],
    ['service unavailable', { kind: 'http-error', status: 503, errorType: 'ServiceUnavailableException', message: 'down' }, 'UPSTREAM_UNAVAILABLE', /unavailable/],
    ['model timeout', { kind: 'http-error', status: 408, errorType: 'ModelTimeoutException', message: 'slow' }, 'UPSTREAM_TIMEOUT', /too long/],
    ['internal error', { kind: 'http-error', status: 500, errorType: 'InternalServerException', message: 'oops' }, 'UPSTREAM_ERROR', /failed to answer/],
  ];

  it.each(httpErrors)('%s before the stream, on the mutation', async (_name, reply, code, message) => {
    upstream.script(reply);
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, withImages([{ base64: png }]));
    expect(result.errors![0]!.extensions!.code).toBe(code);
    expect(result.errors![0]!.message).toMatch(message);
    await expectServerStillServes();
  });

  it.each(httpErrors)('%s before the stream, on the subscription', async (_name, reply, code) => {
    upstream.script(reply);
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, withImages([{ base64: png }])));
    expect(results.at(-1)!.errors![0]!.extensions!.code).toBe(code);
    await expectServerStillServes();
  });

  it.each([
    ['modelStreamErrorException', 'UPSTREAM_ERROR'],
    ['throttlingException', 'UPSTREAM_THROTTLED'],
    ['validationException', 'UPSTREAM_VALIDATION'],
    ['serviceUnavailableException', 'UPSTREAM_UNAVAILABLE'],
  ])('a mid-stream %s ends the stream with %s after the text already sent', async (exceptionType, code) => {
    upstream.script({ kind: 'stream-error', deltas: ['one ', 'two '], exceptionType, message: 'stream broke' });
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, withImages([{ base64: png }])));
    // Deltas that arrive together may come as one chunk (issue #5); the text comes first, whole.
    const chunks = results.slice(0, -1);
    expect(chunks.map((r) => r.data!.describeImage.text).join('')).toBe('one two ');
    expect(results.at(-1)!.errors![0]!.extensions!.code).toBe(code);
    await expectServerStillServes();
  });

  it('a mid-stream failure ends only its own subscription on a shared WebSocket', async () => {
    const client = wsClient(gateway.wsUrl);
    upstream.script(
      { kind: 'stream-error', deltas: ['a '], exceptionType: 'modelStreamErrorException', message: 'broke' },
      { kind: 'text', deltas: ['x ', 'y ', 'z'], paceMs: 30 },
    );
    const run = (into: Result[]) =>
      new Promise<void>((resolve, reject) =>
        client.subscribe({ query: SUBSCRIPTION, variables: withImages([{ base64: png }]) }, { next: (r) => void into.push(r as Result), error: reject, complete: resolve }),
      );
    const failing: Result[] = [];
    const healthy: Result[] = [];
    const first = run(failing);
    await upstream.nextRequest();
    await Promise.all([first, run(healthy)]);
    await client.dispose();
    expect(failing.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
    expect(healthy.map((r) => r.data?.describeImage.text).join('')).toBe('x y z');
    expect(healthy.at(-1)!.data!.describeImage.done).toBe(true);
  });

  it('calls a malformed upstream answer UPSTREAM_ERROR, on the stream and the mutation', async () => {
    upstream.script({ kind: 'malformed-chunk' });
    const streamed = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, withImages([{ base64: png }])));
    expect(streamed.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
    upstream.script({ kind: 'malformed-chunk' });
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, withImages([{ base64: png }]));
    expect(result.errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
    await expectServerStillServes();
  });
});

describe('over graphql-ws', () => {
  it('a wrong variable type gets BAD_USER_INPUT and the socket keeps serving', async () => {
    const client = wsClient(gateway.wsUrl);
    const run = (query: string, variables: Record<string, unknown>) =>
      new Promise<Result>((resolve, reject) => {
        let last: Result | undefined;
        client.subscribe({ query, variables }, { next: (r) => void (last = r as Result), error: reject, complete: () => resolve(last!) });
      });
    const bad = await run(MUTATION, withImages([{ base64: 42 }]));
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badStream = await run(SUBSCRIPTION, withImages([{ base64: png }], { maxTokens: 'x' }));
    expect(badStream.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const good = await run(MUTATION, withImages([{ base64: png }]));
    expect(good.data!.describeImage.text.length).toBeGreaterThan(0);
    await client.dispose();
  });
});
