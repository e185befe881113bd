/**
 * Two gateway processes behind nginx, sharing one redis-server, all real
 * processes on free loopback ports. Both gateways call one shared upstream (the
 * test's LocalBedrock, reached through the AWS SDK's own
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME), so the test counts every billed request.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_MODEL_ID } from '../../api/bedrock/models.js';
import { LocalBedrock } from '../../api/local/endpoint.js';
import { collect, postGraphQL, sseSubscribe, type Result } from '../helpers/graphql.js';
import { solidImage, base64 } from '../helpers/images.js';
import { startMain, type MainProcess } from '../helpers/main-process.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/redis.js';
import { useRedis } from '../helpers/use-redis.js';
import { uploadFile } from '../helpers/upload.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const SLOW = Array.from({ length: 100 }, (_, i) => `w${i} `); // 5 s at 50 ms a delta
const LEASE_MS = 1500;
const KEYS = ['up', 'other', 'conc', 'rate', 'sse', 'ws', 'fault', 'kill'];

const redis = useRedis();
let upstream: LocalBedrock;
let gateways: MainProcess[] = [];
let nginx: Nginx;
let graphqlUrl: string;
let variables: Record<string, unknown>;

const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const byId = (uploadId: string) => ({ input: { images: [{ uploadId }] } });
const hostOf = (gateway: MainProcess) => new URL(gateway.url).host;

function gatewayEnv(): Record<string, string> {
  return {
    // aws mode, with the SDK's endpoint override pointing at the test's upstream.
    BEDROCK_MODE: 'aws',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: upstream.url,
    // The control plane too, so nothing ever leaves loopback; discovery itself is off.
    AWS_ENDPOINT_URL_BEDROCK: upstream.url,
    MODEL_DISCOVERY_INTERVAL_MS: '0',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_MAX_ATTEMPTS: '1',
    ALLOWED_MODEL_IDS: LOCAL_MODEL_ID,
    DEFAULT_MODEL_ID: LOCAL_MODEL_ID,
    REDIS_URL: redis().url,
    REDIS_TIMEOUT_MS: '500',
    API_KEYS: KEYS.join(','),
    KEY_MAX_CONCURRENT: '2',
    KEY_RATE_PER_MINUTE: '6',
    KEY_RATE_BURST: '6',
    KEY_LEASE_MS: String(LEASE_MS),
    SHUTDOWN_GRACE_MS: '0',
  };
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
}

const alive = (gateway: MainProcess) => gateway.child.exitCode === null && gateway.child.signalCode === null;
const status = async (url: string) => (await fetch(url)).status;

async function metric(gateway: MainProcess, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

/** Opens an SSE subscription and resolves once its first chunk has arrived. */
async function openStream(url: string, key: string, input = variables) {
  const controller = new AbortController();
  const events = sseSubscribe(url, SUBSCRIPTION, input, controller.signal, auth(key));
  const first = await events.next();
  const rest = (async () => {
    const results: Result[] = first.done ? [] : [first.value];
    try {
      for await (const result of events) results.push(result);
      return { results, closed: 'complete' as const };
    } catch (error) {
      return { results, closed: 'error' as const, error };
    }
  })();
  return { first: first.value as Result | undefined, rest, stop: () => controller.abort() };
}

beforeAll(async () => {
  variables = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
  upstream = await new LocalBedrock({ paceMs: 0 }).start();
  gateways = await Promise.all([startMain(gatewayEnv()), startMain(gatewayEnv())]);
  nginx = await startNginx(gateways.map(hostOf));
  graphqlUrl = `${nginx.url}/graphql`;
}, 60_000);

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => stopProcess(gateway.child)));
  await nginx?.dispose();
  await upstream?.stop();
});

describe('two replicas behind nginx, sharing Redis', { timeout: 30_000 }, () => {
  it('starts both replicas on the Redis store, and they say so', () => {
    for (const gateway of gateways) expect(gateway.output()).toMatch(/shared through Redis/);
  });

  it('describes on one replica an upload answered by the other', async () => {
    const uploaded = await uploadFile(graphqlUrl, await solidImage('png', 32, 32, '#ff0000'), 'up');
    expect(uploaded.errors).toBeUndefined();
    const id = uploaded.data!.uploadImage.id as string;
    for (let i = 0; i < 2; i++) {
      const described = await postGraphQL(graphqlUrl, MUTATION, byId(id), { headers: auth('up') });
      expect(described.errors).toBeUndefined();
    }
    const served = nginx.accessLog().slice(-3);
    expect(new Set(served.map((line) => line.upstream))).toEqual(new Set(gateways.map(hostOf)));
    // And straight at each replica.
    for (const gateway of gateways) {
      expect((await postGraphQL(`${gateway.url}/graphql`, MUTATION, byId(id), { headers: auth('up') })).errors).toBeUndefined();
    }
  });

  it("lets no key use another key's upload on either replica", async () => {
    const id = (await uploadFile(graphqlUrl, await solidImage('png', 16, 16), 'up')).data!.uploadImage.id as string;
    const before = upstream.requests.length;
    for (const gateway of gateways) {
      const refused = await postGraphQL(`${gateway.url}/graphql`, MUTATION, byId(id), { headers: auth('other') });
      expect(refused.errors![0]!.extensions!.code).toBe('UPLOAD_NOT_FOUND');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('gives a key exactly KEY_MAX_CONCURRENT streams across both replicas, refusing the next with no upstream request', async () => {
    upstream.script({ kind: 'text', deltas: SLOW, paceMs: 50 }, { kind: 'text', deltas: SLOW, paceMs: 50 });
    const streams = [await openStream(graphqlUrl, 'conc'), await openStream(graphqlUrl, 'conc')];
    // Round robin put one on each replica.
    for (const gateway of gateways) expect(await metric(gateway, /^gateway_active_subscriptions (\d+)/m)).toBe(1);
    const before = upstream.requests.length;

    const third = await collect(sseSubscribe(graphqlUrl, SUBSCRIPTION, variables, undefined, auth('conc')));
    expect(third[0]!.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'key-concurrency' });
    const overHttp = await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('conc') });
    expect(overHttp.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(upstream.requests.length).toBe(before);

    for (const stream of streams) stream.stop();
    await expect.poll(() => Promise.all(gateways.map((g) => metric(g, /^gateway_active_subscriptions (\d+)/m)))).toEqual([0, 0]);
    expect((await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('conc') })).errors).toBeUndefined();
  });

  it('holds the per-key rate across both replicas', async () => {
    const before = upstream.requests.length;
    for (let i = 0; i < 6; i++) {
      expect((await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('rate') })).errors).toBeUndefined();
    }
    const refused = await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('rate') });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'key-rate' });
    expect(upstream.requests.length).toBe(before + 6);
  });

  it("streams SSE through nginx's default buffering: the first chunk arrives as soon as it does without the proxy", async () => {
    const timeToFirst = async (url: string) => {
      upstream.script({ kind: 'text', deltas: ['first ', ...SLOW.slice(0, 3)], paceMs: 1000 });
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth('sse') },
        body: JSON.stringify({ query: SUBSCRIPTION, variables }),
      });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('event: next')) text += new TextDecoder().decode((await reader.read()).value);
      const elapsed = performance.now() - started;
      await reader.cancel();
      return { elapsed, header: response.headers.get('x-accel-buffering') };
    };
    const direct = await timeToFirst(`${gateways[0]!.url}/graphql`);
    const proxied = await timeToFirst(graphqlUrl);
    // Deltas come 1 s apart: a first chunk held in a proxy buffer would wait for the next ones (or the end).
    expect(proxied.elapsed).toBeLessThan(direct.elapsed + 800);
    // The gateway tells every proxy not to buffer SSE (nginx consumes the header).
    expect(direct.header).toBe('no');
    expect(proxied.header).toBeNull();
  });

  it('runs graphql-ws through the same proxy', async () => {
    const client = createClient({ url: graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: auth('ws') });
    const results = await collect(client.iterate({ query: SUBSCRIPTION, variables }) as AsyncIterable<Result>);
    await client.dispose();
    expect(results.at(-1)!.data!.describeImage.done).toBe(true);
  });
});

describe('Redis lost and back', { timeout: 30_000 }, () => {
  it('fails fast with STORE_UNAVAILABLE, turns /ready 503, keeps /health and in-flight streams, and recovers without restarts', async () => {
    upstream.script({ kind: 'text', deltas: SLOW.slice(0, 40), paceMs: 50 });
    const inFlight = await openStream(graphqlUrl, 'fault');
    await redis().stop();
    try {
      for (const gateway of gateways) await expect.poll(() => status(`${gateway.url}/ready`)).toBe(503);
      for (const gateway of gateways) expect(await status(`${gateway.url}/health`)).toBe(200);
      const before = upstream.requests.length;
      const started = performance.now();
      const described = await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('fault') });
      expect(described.errors![0]!.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      expect(performance.now() - started).toBeLessThan(2000);
      const streamed = await collect(sseSubscribe(graphqlUrl, SUBSCRIPTION, variables, undefined, auth('fault')));
      expect(streamed[0]!.errors![0]!.extensions!.code).toBe('STORE_UNAVAILABLE');
      const uploaded = await uploadFile(graphqlUrl, await solidImage('png', 16, 16), 'fault');
      expect(uploaded.errors![0]!.extensions!.code).toBe('STORE_UNAVAILABLE');
      expect(upstream.requests.length).toBe(before);

      const finished = await inFlight.rest;
      expect(finished.closed).toBe('complete');
      expect(finished.results.at(-1)!.data!.describeImage.done).toBe(true);
      expect(gateways.every(alive)).toBe(true);
      const errors = await Promise.all(gateways.map((g) => metric(g, /^gateway_store_errors_total\{store="redis",operation="[^"]+"\} (\d+)/m)));
      expect(errors.some((count) => count > 0)).toBe(true);
    } finally {
      await redis().start();
    }
    for (const gateway of gateways) await expect.poll(() => status(`${gateway.url}/ready`), { timeout: 10_000 }).toBe(200);
    expect((await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('fault') })).errors).toBeUndefined();
    expect((await uploadFile(graphqlUrl, await solidImage('png', 16, 16), 'fault')).errors).toBeUndefined();
  });
});

describe('a replica that dies', { timeout: 30_000 }, () => {
  it("cuts only its own streams, and its concurrency slots come back within the lease time", async () => {
    upstream.script({ kind: 'text', deltas: SLOW, paceMs: 50 }, { kind: 'text', deltas: SLOW, paceMs: 50 });
    const streams = [await openStream(graphqlUrl, 'kill'), await openStream(graphqlUrl, 'kill')];
    const [, victim] = gateways;
    victim!.child.kill('SIGKILL');
    const killedAt = performance.now();
    await once(victim!.child, 'exit');

    // The live replica's stream holds one slot and the dead one's lease the other.
    const refused = await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('kill') });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'key-concurrency' });

    await expect
      .poll(async () => (await postGraphQL(graphqlUrl, MUTATION, variables, { headers: auth('kill') })).errors?.[0]?.extensions?.code ?? 'ok', {
        timeout: LEASE_MS * 3,
        interval: 200,
      })
      .toBe('ok');
    // A lease runs out at most LEASE_MS after its last renewal; the rest is polling slack on a busy machine.
    expect(performance.now() - killedAt).toBeLessThan(LEASE_MS + 1500);

    const ended = await Promise.all(streams.map((stream) => stream.rest));
    const cut = ended.filter((end) => end.closed === 'error' || !end.results.at(-1)?.data?.describeImage.done);
    const whole = ended.filter((end) => end.closed === 'complete' && end.results.at(-1)?.data?.describeImage.done);
    expect(cut).toHaveLength(1);
    expect(whole).toHaveLength(1);
    expect(alive(gateways[0]!)).toBe(true);
  });
});

describe('Redis unreachable at start', () => {
  it('makes the gateway say so and exit non-zero', async () => {
    const env = { ...gatewayEnv(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    await expect(startMain(env)).rejects.toThrow(/main exited with 1[\s\S]*Cannot reach Redis at redis:\/\/127\.0\.0\.1/);
  });
});
