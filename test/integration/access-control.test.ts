import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, sseSubscribe, type Result } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const SLOW = Array.from({ length: 100 }, (_, i) => `w${i} `);

let variables: Record<string, unknown>;
beforeAll(async () => {
  variables = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
});

type Gateway = Awaited<ReturnType<typeof startGateway>>;

function keyedClient(gateway: Gateway, key?: string) {
  let closeCode: number | undefined;
  const client = createClient({
    url: gateway.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {}, // the close is asserted below
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    on: { closed: (event) => void (closeCode = (event as { code: number }).code) },
  });
  return { client, closeCode: () => closeCode };
}

/** Starts a subscription and resolves with its first result (or rejects with its error). */
function firstResult(client: ReturnType<typeof createClient>, query = SUBSCRIPTION): Promise<{ result: Result; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const stop = client.subscribe({ query, variables }, {
      next: (result) => resolve({ result: result as Result, stop }),
      error: reject,
      complete: () => {},
    });
  });
}

describe('API keys', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'key-one, key-two' });
  });
  afterAll(() => gateway.stop());

  it('refuses HTTP requests without a valid key, before any upstream call', async () => {
    const before = gateway.localBedrock!.requests.length;
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'key-one' }] as Record<string, string>[]) {
      const response = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: MUTATION, variables }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await response.json()) as Result;
      expect(body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    }
    expect(gateway.localBedrock!.requests.length).toBe(before);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_rejected_total\{reason="UNAUTHENTICATED"\} 3$/m);
  });

  it('accepts a valid key over HTTP', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: { authorization: 'Bearer key-two' } });
    expect(result.errors).toBeUndefined();
  });

  it('refuses SSE subscriptions without a key', async () => {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: SUBSCRIPTION, variables }),
    });
    expect(response.status).toBe(401);
  });

  it('closes a WebSocket with 4403 when connection_init has no valid key', async () => {
    for (const key of [undefined, 'wrong']) {
      const { client, closeCode } = keyedClient(gateway, key);
      await expect(firstResult(client)).rejects.toBeDefined();
      expect(closeCode()).toBe(4403);
      await client.dispose();
    }
  });

  it('streams over a WebSocket whose connection_init carries a valid key', async () => {
    const { client } = keyedClient(gateway, 'key-one');
    const { result, stop } = await firstResult(client);
    expect(result.data!.describeImage.text.length).toBeGreaterThan(0);
    stop();
    await client.dispose();
  });

  it('still serves the GraphiQL page, whose operations then need the key', async () => {
    const response = await fetch(gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
  });
});

describe('per-key limits, checked before Bedrock is called', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'alpha,beta', KEY_MAX_CONCURRENT: '2', KEY_RATE_PER_MINUTE: '600', KEY_RATE_BURST: '100' });
  });
  afterAll(() => gateway.stop());

  it('refuses the (N+1)th concurrent stream of a key with RATE_LIMITED and no upstream request', async () => {
    const upstream = gateway.localBedrock!;
    upstream.script({ kind: 'text', deltas: SLOW, paceMs: 50 }, { kind: 'text', deltas: SLOW, paceMs: 50 });
    const { client } = keyedClient(gateway, 'alpha');
    const firstRequest = upstream.nextRequest();
    const first = await firstResult(client);
    const second = await firstResult(client);
    const before = upstream.requests.length;

    const third = await firstResult(client);
    expect(third.result.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    const overHttp = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: { authorization: 'Bearer alpha' } });
    expect(overHttp.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(upstream.requests.length).toBe(before);

    // Another key is not affected.
    const other = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: { authorization: 'Bearer beta' } });
    expect(other.errors).toBeUndefined();

    // Ending one stream frees its slot.
    first.stop();
    expect(await (await firstRequest).settled).toBe('aborted');
    await expect.poll(() => gateway.services.admission.active).toBe(1);
    const again = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: { authorization: 'Bearer alpha' } });
    expect(again.errors).toBeUndefined();
    second.stop();
    await client.dispose();
  });
});

describe('per-key request rate', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'alpha', KEY_RATE_PER_MINUTE: '1', KEY_RATE_BURST: '2' });
  });
  afterAll(() => gateway.stop());

  it('allows the burst, then refuses with RATE_LIMITED and a retry time', async () => {
    const headers = { authorization: 'Bearer alpha' };
    const before = gateway.localBedrock!.requests.length;
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers })).errors).toBeUndefined();
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers })).errors).toBeUndefined();
    const refused = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'key-rate', retryAfterSeconds: 120 });
    expect(gateway.localBedrock!.requests.length).toBe(before + 2);
  });
});

describe('server-wide cap', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ MAX_CONCURRENT_STREAMS: '1' });
  });
  afterAll(() => gateway.stop());

  it('refuses a stream beyond the cap, on an open server too', async () => {
    const upstream = gateway.localBedrock!;
    upstream.script({ kind: 'text', deltas: SLOW, paceMs: 50 });
    const controller = new AbortController();
    const open = sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, controller.signal);
    await open.next();
    const before = upstream.requests.length;
    const refused = await collect(sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables));
    expect(refused[0]!.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'server-concurrency' });
    expect(upstream.requests.length).toBe(before);
    controller.abort();
    await open.return(undefined).catch(() => {});
  });
});

describe('CORS and WebSocket origins', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ CORS_ORIGINS: 'https://app.example' });
  });
  afterAll(() => gateway.stop());

  const preflight = (origin: string, url = gateway.graphqlUrl) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('allows an allow-listed origin and no other', async () => {
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
    const foreign = (await preflight('https://evil.example')).headers.get('access-control-allow-origin');
    expect(foreign).not.toBe('https://evil.example');
    expect(foreign).not.toBe('*');
  });

  it('sends no wildcard when no origins are configured', async () => {
    const open = await startGateway();
    try {
      const response = await preflight('https://evil.example', open.graphqlUrl);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await open.stop();
    }
  });

  const upgrade = (origin?: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws', { headers: origin ? { origin } : {} });
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => {});
    });

  it('refuses a WebSocket upgrade from a foreign origin (cross-site WebSocket hijacking)', async () => {
    expect(await upgrade('https://evil.example')).not.toBe(101);
    expect(await upgrade('https://app.example')).toBe(101);
    expect(await upgrade(gateway.url)).toBe(101);
    expect(await upgrade(undefined)).toBe(101);
  });
});
