import { once } from 'node:events';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.js';
import { collect, postGraphQL, type Result } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const UPLOAD = 'mutation ($f: File!) { uploadImage(file: $f) { id } }';
const KEY = 'k';
const AUTH = { authorization: `Bearer ${KEY}` };

type Gateway = Awaited<ReturnType<typeof startGateway>>;

let small: Record<string, unknown>;
/** A 16-bit 8000×8000 PNG: a few MB on the wire, about a second of decoding. */
let slow: Record<string, unknown>;
beforeAll(async () => {
  small = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
  const png = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#808080' } })
    .toColourspace('rgb16')
    .png({ compressionLevel: 1 })
    .toBuffer();
  slow = { input: { images: [{ base64: base64(png) }] } };
}, 30_000);

/** A subscription over SSE with the key; resolves with its results, or with 'aborted' when `signal` drops it. */
async function sse(gateway: Gateway, variables: Record<string, unknown>, signal?: AbortSignal): Promise<Result[] | 'aborted'> {
  try {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...AUTH },
      body: JSON.stringify({ query: SUBSCRIPTION, variables }),
      signal,
    });
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((m) => m.startsWith('event: next'))
      .map((m) => JSON.parse(m.slice(m.indexOf('data:') + 5)) as Result);
  } catch (error) {
    if ((error as Error).name === 'AbortError') return 'aborted';
    throw error;
  }
}

/** Sends a request and drops the connection `afterMs` later. */
async function dropAfter<T>(afterMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const pending = run(controller.signal);
  await sleep(afterMs);
  controller.abort();
  return pending;
}

async function activeSubscriptions(gateway: Gateway): Promise<number> {
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(/^gateway_active_subscriptions (\d+)/m.exec(metrics)?.[1]);
}

function keyedWs(gateway: Gateway): Client {
  return createClient({
    url: gateway.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: { authorization: `Bearer ${KEY}` },
  });
}

/** Runs one operation over graphql-ws; resolves with its results, or its error. */
function wsRun(client: Client, query: string, variables: Record<string, unknown>) {
  const results: Result[] = [];
  let unsubscribe!: () => void;
  const done = new Promise<Result[] | unknown>((resolve) => {
    unsubscribe = client.subscribe({ query, variables }, { next: (r) => void results.push(r as Result), error: resolve, complete: () => resolve(results) });
  });
  return { done, unsubscribe: () => unsubscribe() };
}

describe('clients that leave while their images are prepared', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    // The key's quota and the server's are both 2: a leaked slot locks out the key, and then everyone.
    gateway = await startGateway({ API_KEYS: `${KEY},other`, KEY_MAX_CONCURRENT: '2', KEY_RATE_PER_MINUTE: '0', MAX_CONCURRENT_STREAMS: '2' });
  });
  afterAll(() => gateway.stop());

  const expectAllFree = async () => {
    await expect.poll(() => gateway.services.admission.active, { timeout: 1000 }).toBe(0);
    expect(await activeSubscriptions(gateway)).toBe(0);
  };

  /** The key can still run its full quota at once, and so can another key; each finishes. */
  const expectKeyUsable = async () => {
    const runs = await Promise.all([sse(gateway, small), sse(gateway, small)]);
    const other = await postGraphQL(gateway.graphqlUrl, MUTATION, small, { headers: { authorization: 'Bearer other' } });
    expect(other.errors).toBeUndefined();
    for (const results of runs) {
      expect(results).not.toBe('aborted');
      expect((results as Result[]).at(-1)).toMatchObject({ data: { describeImage: { done: true } } });
    }
  };

  it('frees the slot of an SSE subscription dropped mid-preparation, at once', async () => {
    const before = gateway.localBedrock!.requests.length;
    expect(await Promise.all([1, 2].map(() => dropAfter(300, (signal) => sse(gateway, slow, signal))))).toEqual(['aborted', 'aborted']);
    await expectAllFree();
    await expectKeyUsable();
    // Let the dropped requests' image work finish: still nothing open, nothing billed for them.
    await sleep(3000);
    await expectAllFree();
    expect(gateway.localBedrock!.requests.length - before).toBe(3); // the three runs of expectKeyUsable
  }, 30_000);

  it('frees the slot of a client that leaves before admission or right after', async () => {
    for (const afterMs of [0, 5, 50]) await dropAfter(afterMs, (signal) => sse(gateway, slow, signal));
    await expectAllFree();
    await expectKeyUsable();
  }, 30_000);

  it('frees the slot of an HTTP mutation dropped mid-preparation, at once', async () => {
    const dropped = Promise.all(
      [1, 2].map(() =>
        dropAfter(300, (signal) =>
          postGraphQL(gateway.graphqlUrl, MUTATION, slow, { signal, headers: AUTH }).catch((error: Error) => error.name),
        ),
      ),
    );
    expect(await dropped).toEqual(['AbortError', 'AbortError']);
    await expectAllFree();
    await expectKeyUsable();
  }, 30_000);

  it('frees the slots of graphql-ws operations (subscription and mutation) when the socket closes mid-preparation', async () => {
    const client = keyedWs(gateway);
    wsRun(client, SUBSCRIPTION, slow);
    wsRun(client, MUTATION, slow);
    await expect.poll(() => gateway.services.admission.active).toBe(2);
    await sleep(300);
    await client.dispose();
    await expectAllFree();
    await expectKeyUsable();
  }, 30_000);

  it('frees the slot of a graphql-ws subscription the client completes mid-preparation', async () => {
    const client = keyedWs(gateway);
    const run = wsRun(client, SUBSCRIPTION, slow);
    await expect.poll(() => gateway.services.admission.active).toBe(1);
    await sleep(300);
    run.unsubscribe();
    await expectAllFree();
    await expectKeyUsable();
    await client.dispose();
  }, 30_000);

  it('shuts down promptly after dropped clients: nothing is left to wait for', async () => {
    await Promise.all([1, 2].map(() => dropAfter(300, (signal) => sse(gateway, slow, signal))));
    const started = performance.now();
    await gateway.shutdown(10_000);
    expect(performance.now() - started).toBeLessThan(3000);
  }, 30_000);
});

describe('graphql-ws operations end upstream when their client leaves', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  it('aborts a mutation\'s Bedrock call when its socket closes, and frees its slot', async () => {
    gateway.localBedrock!.script({ kind: 'hang' });
    const requested = gateway.localBedrock!.nextRequest();
    const client = keyedWs(gateway);
    wsRun(client, MUTATION, small);
    const request = await requested;
    await client.dispose();
    expect(await request.settled).toBe('aborted');
    await expect.poll(() => gateway.services.admission.active).toBe(0);
  });

  it('aborts a mutation\'s Bedrock call when the client sends complete', async () => {
    gateway.localBedrock!.script({ kind: 'hang' });
    const requested = gateway.localBedrock!.nextRequest();
    const client = keyedWs(gateway);
    const run = wsRun(client, MUTATION, small);
    const request = await requested;
    run.unsubscribe();
    expect(await request.settled).toBe('aborted');
    await expect.poll(() => gateway.services.admission.active).toBe(0);
    // The socket is still usable.
    expect(await wsRun(client, MUTATION, small).done).toEqual([expect.objectContaining({ data: expect.anything() })]);
    await client.dispose();
  });

  it('still aborts an operation whose id reuses one the client just completed', async () => {
    const upstream = gateway.localBedrock!;
    upstream.script({ kind: 'hang' }, { kind: 'hang' });
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await once(socket, 'message');
    const subscribe = JSON.stringify({ id: 'same', type: 'subscribe', payload: { query: MUTATION, variables: small } });
    const first = upstream.nextRequest();
    socket.send(subscribe);
    const firstRequest = await first;
    const second = upstream.nextRequest();
    socket.send(JSON.stringify({ id: 'same', type: 'complete' }));
    socket.send(subscribe);
    const secondRequest = await second;
    expect(await firstRequest.settled).toBe('aborted');
    await sleep(50);
    socket.close();
    expect(await secondRequest.settled).toBe('aborted');
    await expect.poll(() => gateway.services.admission.active).toBe(0);
  });

  it('aborts a streaming subscription when its socket closes mid-stream', async () => {
    gateway.localBedrock!.script({ kind: 'text', deltas: Array(200).fill('x '), paceMs: 20 });
    const requested = gateway.localBedrock!.nextRequest();
    const client = keyedWs(gateway);
    wsRun(client, SUBSCRIPTION, small);
    const request = await requested;
    await sleep(100);
    await client.dispose();
    expect(await request.settled).toBe('aborted');
    await expect.poll(() => gateway.services.admission.active).toBe(0);
    expect(await activeSubscriptions(gateway)).toBe(0);
  });
});

describe('shutdown during a mutation', () => {
  it('answers a mutation still running at the end of the grace period with SHUTTING_DOWN, on HTTP and graphql-ws', async () => {
    const gateway = await startGateway();
    try {
      gateway.localBedrock!.script({ kind: 'hang' }, { kind: 'hang' });
      const first = gateway.localBedrock!.nextRequest();
      const http = postGraphQL(gateway.graphqlUrl, MUTATION, small);
      await first;
      const second = gateway.localBedrock!.nextRequest();
      const client = keyedWs(gateway);
      const ws = wsRun(client, MUTATION, small).done;
      await second;
      await gateway.shutdown(200);
      const answer = await http;
      expect(answer.status).toBe(200);
      expect(answer.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
      const wsAnswer = (await ws) as Result[];
      expect(wsAnswer[0]?.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
      expect(gateway.localBedrock ? (await first).outcome : undefined).toBe('aborted');
      await client.dispose();
    } finally {
      await gateway.stop();
    }
  });
});

describe('shutdown during preparation', () => {
  it('ends requests still preparing their images with SHUTTING_DOWN and returns promptly', async () => {
    const gateway = await startGateway();
    try {
      const subscription = collect(sseOpen(gateway, slow));
      const mutation = postGraphQL(gateway.graphqlUrl, MUTATION, slow);
      await expect.poll(() => gateway.services.admission.active).toBe(2);
      await sleep(200);
      const started = performance.now();
      await gateway.shutdown(100);
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await subscription)[0]?.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
      expect((await mutation).errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
      expect(gateway.localBedrock!.requests).toHaveLength(0);
    } finally {
      await gateway.stop();
    }
  }, 30_000);
});

describe('uploadImage admission and bad values', () => {
  const lines: { level: number; msg?: string }[] = [];
  let gateway: Gateway;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(String(chunk)));
        callback();
      },
    });
    gateway = await startGateway(
      { API_KEYS: KEY, KEY_RATE_PER_MINUTE: '1', KEY_RATE_BURST: '2' },
      undefined,
      { logger: pino({ level: 'info' }, sink) },
    );
  });
  afterAll(() => gateway.stop());

  const upload = async (bytes: Buffer) => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: UPLOAD, variables: { f: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob([new Uint8Array(bytes)]), 'image.png');
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1', ...AUTH } });
    return (await response.json()) as Result;
  };

  it('refuses a non-file value (string, object, inline literal) with BAD_USER_INPUT and logs no error', async () => {
    const variants = [
      { query: UPLOAD, variables: { f: 'not a file' } },
      { query: UPLOAD, variables: { f: { name: 'x.png', size: 3 } } },
      { query: UPLOAD, variables: { f: 42 } },
      { query: 'mutation { uploadImage(file: "inline") { id } }' },
      { query: 'mutation { uploadImage(file: { a: 1 }) { id } }' },
    ];
    const client = keyedWs(gateway);
    for (const body of variants) {
      const result = await postGraphQL(gateway.graphqlUrl, body.query, body.variables, { headers: AUTH });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe('BAD_USER_INPUT');
      // The same over graphql-ws: an `error` message (validation) or a result with errors (coercion).
      const ws = (await wsRun(client, body.query, body.variables ?? {}).done) as (Result & { extensions?: { code?: string } })[];
      expect(ws[0]?.errors?.[0]?.extensions?.code ?? ws[0]?.extensions?.code, `graphql-ws ${JSON.stringify(body)}`).toBe('BAD_USER_INPUT');
    }
    await client.dispose();
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('counts uploads against the key\'s rate, like describe requests', async () => {
    const png = await solidImage('png');
    expect((await upload(png)).data?.uploadImage.id).toBeDefined();
    expect((await upload(png)).data?.uploadImage.id).toBeDefined();
    expect((await upload(png)).errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'key-rate' });
    const describe = await postGraphQL(gateway.graphqlUrl, MUTATION, small, { headers: AUTH });
    expect(describe.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(gateway.services.admission.active).toBe(0);
  });
});

describe('uploadImage holds a slot while it works', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: KEY, KEY_MAX_CONCURRENT: '1', KEY_RATE_PER_MINUTE: '0', MAX_INPUT_IMAGE_BYTES: '30000000' });
  });
  afterAll(() => gateway.stop());

  it('takes the key\'s concurrency slot while normalising and frees it after, or when the client leaves', async () => {
    const png = Buffer.from((slow.input as { images: { base64: string }[] }).images[0]!.base64, 'base64');
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: UPLOAD, variables: { f: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob([png]), 'big.png');
    const controller = new AbortController();
    const pending = fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1', ...AUTH }, signal: controller.signal }).catch((e: Error) => e.name);
    await expect.poll(() => gateway.services.admission.active).toBe(1);
    const refused = await postGraphQL(gateway.graphqlUrl, MUTATION, small, { headers: AUTH });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'key-concurrency' });
    controller.abort();
    expect(await pending).toBe('AbortError');
    await expect.poll(() => gateway.services.admission.active, { timeout: 1000 }).toBe(0);
    expect((await postGraphQL(gateway.graphqlUrl, MUTATION, small, { headers: AUTH })).data?.describeImage).toBeDefined();
  }, 30_000);
});

describe('text caps', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const withText = (extra: Record<string, unknown>) => ({ input: { ...(small.input as object), ...extra } });
  const oversized = [
    ['prompt', { prompt: 'p'.repeat(1_000_000) }],
    ['system', { system: 's'.repeat(100_000) }],
    ['a stop sequence', { stopSequences: ['x'.repeat(10_000)] }],
    ['the whole text', { prompt: 'p'.repeat(19_000), system: 's'.repeat(19_000) }],
  ] as const;

  for (const [name, extra] of oversized) {
    it(`refuses an overlong ${name} with BAD_USER_INPUT and no upstream call, over HTTP, SSE and graphql-ws`, async () => {
      const before = gateway.localBedrock!.requests.length;
      const http = await postGraphQL(gateway.graphqlUrl, MUTATION, withText(extra));
      expect(http.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(http.errors?.[0]?.message).toMatch(/limit is \d+/);
      expect(http.errors?.[0]?.message.length).toBeLessThan(300);
      const sse = (await collect(sseOpen(gateway, withText(extra))))[0]!;
      expect(sse.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const client = keyedWs(gateway);
      const ws = (await wsRun(client, SUBSCRIPTION, withText(extra)).done) as Result[];
      expect(ws[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      await client.dispose();
      expect(gateway.localBedrock!.requests.length).toBe(before);
    });
  }

  it('accepts text within the caps', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, withText({ prompt: 'p'.repeat(10_000), stopSequences: ['END'] }));
    expect(result.errors).toBeUndefined();
  });
});

/** SSE without a key (for gateways with open access). */
async function* sseOpen(gateway: Gateway, variables: Record<string, unknown>): AsyncGenerator<Result> {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: SUBSCRIPTION, variables }),
  });
  for (const message of (await response.text()).split('\n\n')) {
    if (message.startsWith('event: next')) yield JSON.parse(message.slice(message.indexOf('data:') + 5)) as Result;
  }
}

describe('error messages never echo unbounded input', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const long = 'u'.repeat(200_000);

  it('cuts a 200 KB uploadId or modelId short in the message', async () => {
    for (const input of [{ images: [{ uploadId: long }] }, { images: (small.input as { images: unknown[] }).images, modelId: long }]) {
      const result = await postGraphQL(gateway.graphqlUrl, MUTATION, { input });
      expect(['UPLOAD_NOT_FOUND', 'MODEL_NOT_ALLOWED']).toContain(result.errors?.[0]?.extensions?.code);
      expect(JSON.stringify(result).length).toBeLessThan(1000);
    }
  });

  it("keeps a malformed upstream answer's text (a long secret) out of its UPSTREAM_ERROR", async () => {
    const secret = `sk-live-${'7'.repeat(100)}`;
    gateway.localBedrock!.script({ kind: 'malformed-chunk', payload: `{"token": "${secret}` });
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, small);
    expect(result.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(result)).not.toContain('sk-live');
  });

  const echoing: [string, string, Record<string, unknown>?][] = [
    ['an inline literal of the wrong type', `mutation { describeImage(input: { images: [], maxTokens: "${long}" }) { text } }`],
    ['an unknown field', `{ ${'b'.repeat(200_000)} }`],
    ['an unknown input field', `mutation { describeImage(input: { images: [], ${'c'.repeat(200_000)}: 1 }) { text } }`],
    ['an object where a File belongs', UPLOAD, { f: { x: long } }],
  ];
  for (const [name, query, variables] of echoing) {
    it(`cuts ${name} short, over HTTP and graphql-ws`, async () => {
      const http = await postGraphQL(gateway.graphqlUrl, query, variables);
      expect(http.errors?.[0]?.message).toBeDefined();
      expect(JSON.stringify(http).length).toBeLessThan(1000);
      const client = keyedWs(gateway);
      const ws = await wsRun(client, query, variables ?? {}).done;
      await client.dispose();
      expect(JSON.stringify(ws)).toMatch(/message/);
      expect(JSON.stringify(ws).length).toBeLessThan(1000);
    });
  }
});

describe('slow and oversized bodies, and refusals with codes', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ REQUEST_BODY_TIMEOUT_MS: '1000', MAX_REQUEST_BYTES: '200000', MAX_INPUT_IMAGE_BYTES: '1000000' });
  });
  afterAll(() => gateway.stop());

  it('answers 408 and closes a connection that drips its body one byte a second', async () => {
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
    let received = '';
    socket.on('data', (data) => (received += data));
    const drip = setInterval(() => socket.writable && socket.write('{'), 1000);
    const started = performance.now();
    try {
      await once(socket, 'close');
    } finally {
      clearInterval(drip);
    }
    expect(performance.now() - started).toBeLessThan(5000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);

  it('answers 408 and closes a connection that drips its headers', async () => {
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    let received = '';
    socket.on('data', (data) => (received += data));
    const drip = setInterval(() => socket.writable && socket.write('a'), 500);
    const started = performance.now();
    try {
      await once(socket, 'close');
    } finally {
      clearInterval(drip);
    }
    expect(performance.now() - started).toBeLessThan(5000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);

  it('keeps a normal request working (a fast body is never timed out)', async () => {
    expect((await postGraphQL(gateway.graphqlUrl, '{ serverInfo { bedrockMode } }')).data).toBeDefined();
  });

  it('refuses a request without a CSRF header with 403 CSRF_REFUSED', async () => {
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as Result).errors?.[0]?.extensions?.code).toBe('CSRF_REFUSED');
  });

  it('refuses queries over graphql-armor\'s caps with QUERY_TOO_COMPLEX', async () => {
    const aliases = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: serverInfo { bedrockMode }`).join(' ')} }`;
    const tokens = `{ serverInfo { ${'bedrockMode '.repeat(1200)} } }`;
    for (const query of [aliases, tokens]) {
      expect((await postGraphQL(gateway.graphqlUrl, query)).errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    }
    // Over graphql-ws the refusal is an `error` message: a list of errors.
    const client = keyedWs(gateway);
    const ws = (await wsRun(client, aliases, {}).done) as { extensions?: { code?: string } }[];
    expect(ws[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    await client.dispose();
  });

  it('refuses an oversized body with 413 PAYLOAD_TOO_LARGE whether JSON, multipart or chunked multipart', async () => {
    const json = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION, variables: { input: { images: [{ base64: 'A'.repeat(300_000) }] } } }),
    });
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: UPLOAD, variables: { f: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    form.set('0', new Blob([new Uint8Array(300_000)]), 'big.png');
    const multipart = await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1' } });
    // The same form streamed without a Content-Length, as a proxy or a streaming client sends it.
    const streamed = new Request('http://localhost/', { method: 'POST', body: form });
    const chunked = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      body: streamed.body,
      headers: { 'x-graphql-yoga-csrf': '1', 'content-type': streamed.headers.get('content-type')! },
      duplex: 'half',
    } as RequestInit);
    for (const response of [json, multipart, chunked]) {
      expect(response.status).toBe(413);
      const result = (await response.json()) as Result;
      expect(result.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(result.errors?.[0]?.message).toMatch(/limit/);
    }
  });
});
