import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { startGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, sseSubscribe } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text usage { outputTokens } } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const THROTTLE = { kind: 'http-error', status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' } as const;

type Gateway = Awaited<ReturnType<typeof startGateway>>;
let image: string;
beforeAll(async () => {
  image = base64(await solidImage('jpeg'));
});
const variables = () => ({ input: { images: [{ base64: image }] } });

async function metric(gateway: Gateway, line: RegExp): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const match = text.split('\n').find((l) => line.test(l));
  return match ? Number(match.split(' ').at(-1)) : NaN;
}

describe('throttling before the stream: the SDK retry strategy, then UPSTREAM_THROTTLED', () => {
  let bedrock: LocalBedrock;
  let gateway: Gateway;
  beforeAll(async () => {
    bedrock = await startLocalBedrock();
    gateway = await startGateway(
      { BEDROCK_MODE: 'aws' },
      { endpoint: bedrock.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, maxAttempts: 3 },
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await bedrock.stop();
  });

  it('retries a throttled call and succeeds on the third attempt', async () => {
    bedrock.script(THROTTLE, THROTTLE, { kind: 'text', deltas: ['fine'] });
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    expect(result.data!.describeImage.text).toBe('fine');
    expect(bedrock.requests).toHaveLength(3);
    expect(await metric(gateway, /^gateway_upstream_retries_total /)).toBe(2);
  });

  it('gives up after maxAttempts with UPSTREAM_THROTTLED, on the stream too', async () => {
    const before = bedrock.requests.length;
    bedrock.script(THROTTLE, THROTTLE, THROTTLE);
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables()));
    expect(results[0]!.errors![0]!.extensions!.code).toBe('UPSTREAM_THROTTLED');
    expect(bedrock.requests.length - before).toBe(3);
  });
});

describe('retries only what Bedrock refused (issue #9)', () => {
  let bedrock: LocalBedrock;
  let gateway: Gateway;
  beforeAll(async () => {
    bedrock = await startLocalBedrock();
    gateway = await startGateway(
      { BEDROCK_MODE: 'aws' },
      { endpoint: bedrock.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, maxAttempts: 3 },
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await bedrock.stop();
  });

  it('does not send a request again when the connection fails after its body went out: one call, UPSTREAM_UNAVAILABLE', async () => {
    bedrock.script({ kind: 'drop-after-body' });
    const before = bedrock.requests.length;
    const streamed = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables()));
    expect(streamed.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(bedrock.requests.length - before).toBe(1);

    bedrock.script({ kind: 'drop-after-body' });
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    expect(result.errors![0]!.extensions!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(bedrock.requests.length - before).toBe(2);
  });

  it('retries a throttled refusal once and succeeds: two calls', async () => {
    const before = bedrock.requests.length;
    bedrock.script(THROTTLE, { kind: 'text', deltas: ['second time'] });
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    expect(result.data!.describeImage.text).toBe('second time');
    expect(bedrock.requests.length - before).toBe(2);
  });

  it("never shows a client Bedrock's own words: no account id or role ARN", async () => {
    const said = 'User: arn:aws:sts::123456789012:assumed-role/GatewayRole/i-0abc is not authorized to perform: bedrock:InvokeModel';
    bedrock.script({ kind: 'http-error', status: 403, errorType: 'AccessDeniedException', message: said });
    const denied = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    bedrock.script({ kind: 'stream-error', deltas: ['a '], exceptionType: 'validationException', message: said });
    const midStream = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables()));
    expect(denied.errors![0]!.extensions!.code).toBe('UPSTREAM_ACCESS_DENIED');
    expect(midStream.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_VALIDATION');
    for (const body of [JSON.stringify(denied), JSON.stringify(midStream)]) {
      expect(body).not.toContain('arn:');
      expect(body).not.toContain('123456789012');
    }
  });
});

describe('a hung upstream', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ BEDROCK_TIMEOUT_MS: '300' });
  });
  afterAll(() => gateway.stop());

  it('is aborted after the timeout and the stream gets UPSTREAM_TIMEOUT', async () => {
    gateway.localBedrock!.script({ kind: 'hang' });
    const requested = gateway.localBedrock!.nextRequest();
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables()));
    expect(results.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_TIMEOUT');
    expect(await (await requested).settled).toBe('aborted');
  });

  it('is aborted after the timeout and the mutation gets UPSTREAM_TIMEOUT', async () => {
    gateway.localBedrock!.script({ kind: 'hang' });
    const requested = gateway.localBedrock!.nextRequest();
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables());
    expect(result.errors![0]!.extensions!.code).toBe('UPSTREAM_TIMEOUT');
    expect(await (await requested).settled).toBe('aborted');
  });

  it('does not cut a slow stream that keeps sending', async () => {
    gateway.localBedrock!.script({ kind: 'text', deltas: Array(8).fill('tick '), paceMs: 100 });
    const results = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables()));
    expect(results.map((r) => r.data?.describeImage.text).join('')).toBe('tick '.repeat(8));
  });
});

describe('observability', () => {
  const lines: Record<string, unknown>[] = [];
  let gateway: Gateway;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(String(chunk)));
        callback();
      },
    });
    gateway = await startGateway({ API_KEYS: 'k-secret-123', KEY_MAX_CONCURRENT: '1' }, undefined, { logger: pino({ level: 'info' }, sink) });
  });
  afterAll(() => gateway.stop());

  const auth = { authorization: 'Bearer k-secret-123' };

  it('logs one structured line per description: request id, model, usage, latency, outcome, never image data or keys', async () => {
    await postGraphQL(gateway.graphqlUrl, MUTATION, variables(), { headers: auth });
    const line = lines.find((l) => l.event === 'describe' && l.operation === 'mutation');
    expect(line).toMatchObject({
      outcome: 'ok',
      modelId: 'local.image-inspector',
      caller: expect.stringMatching(/^key:[0-9a-f]{12}$/),
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
      latencyMs: expect.any(Number),
      imageCount: 1,
    });
    const all = JSON.stringify(lines);
    expect(all).not.toContain(image.slice(0, 40));
    expect(all).not.toContain('k-secret-123');
  });

  it('exposes Prometheus metrics for requests, tokens, latency, active streams and rejections', async () => {
    const streamed = await collect(
      (async function* () {
        const response = await fetch(gateway.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
          body: JSON.stringify({ query: SUBSCRIPTION, variables: variables() }),
        });
        yield await response.text();
      })(),
    );
    expect(streamed[0]).toContain('"done":true');

    gateway.localBedrock!.script({ kind: 'text', deltas: Array(100).fill('x '), paceMs: 30 });
    const controller = new AbortController();
    const open = fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
      body: JSON.stringify({ query: SUBSCRIPTION, variables: variables() }),
      signal: controller.signal,
    });
    await gateway.localBedrock!.nextRequest();
    expect(await metric(gateway, /^gateway_active_subscriptions /)).toBe(1);
    const refused = await postGraphQL(gateway.graphqlUrl, MUTATION, variables(), { headers: auth });
    expect(refused.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    controller.abort();
    await open.catch(() => {});
    await expect.poll(() => metric(gateway, /^gateway_active_subscriptions /)).toBe(0);

    expect(await metric(gateway, /^gateway_describe_requests_total\{operation="subscription",outcome="ok",code=""\}/)).toBe(1);
    expect(await metric(gateway, /^gateway_describe_requests_total\{operation="subscription",outcome="cancelled",code=""\}/)).toBe(1);
    expect(await metric(gateway, /^gateway_rejected_total\{reason="RATE_LIMITED"\}/)).toBe(1);
    expect(await metric(gateway, /^gateway_tokens_total\{model="local.image-inspector",direction="output"\}/)).toBeGreaterThan(0);
    expect(await metric(gateway, /^gateway_time_to_first_token_seconds_count\{model="local.image-inspector"\}/)).toBeGreaterThanOrEqual(1);
    expect(await metric(gateway, /^gateway_describe_duration_seconds_count\{model="local.image-inspector",operation="mutation"\}/)).toBe(1);
  });

  it('answers /health and /ready', async () => {
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
  });
});
