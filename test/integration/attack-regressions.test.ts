import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { startGateway } from '../helpers/gateway.js';
import { postGraphQL, sseSubscribe } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';
import { useRedis } from '../helpers/use-redis.js';
import { pngChunk } from '../helpers/hostile-images.js';

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }';
const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const UPLOAD = 'mutation ($file: File!) { uploadImage(file: $file) { id } }';
const SLOW = Array.from({ length: 200 }, (_, i) => `w${i} `);

type Gateway = Awaited<ReturnType<typeof startGateway>>;

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Waits (bounded) until `check` holds; false when it never did. */
async function until(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** `promise`'s value, or 'timed out' after `ms`: a regression fails fast instead of hanging the file. */
function within<T>(promise: Promise<T>, ms = 3000): Promise<T | 'timed out'> {
  return Promise.race([promise, sleep(ms).then(() => 'timed out' as const)]);
}

function keyedWs(gateway: Gateway, key: string): Client {
  return createClient({
    url: gateway.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: auth(key),
  });
}

/** Holds the gateway's only decode lane until the returned function is called. */
function occupyDecodeQueue(gateway: Gateway): () => void {
  let free!: () => void;
  const held = new Promise<void>((resolve) => (free = resolve));
  void gateway.services.decodeQueue!.run(1, () => held);
  return free;
}

let variables: Record<string, unknown>;
let png: Buffer;
beforeAll(async () => {
  png = await solidImage('png');
  variables = { input: { images: [{ base64: base64(png) }] } };
});

describe('a client that leaves while its image waits in the decode queue', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a,b', KEY_MAX_CONCURRENT: '1', IMAGE_DECODE_CONCURRENCY: '1', IMAGE_QUEUE_TIMEOUT_MS: '0' });
  });
  afterAll(() => gateway.stop());

  async function leaveWhileQueued(start: (signal: AbortSignal) => Promise<unknown>) {
    const free = occupyDecodeQueue(gateway);
    const queue = gateway.services.decodeQueue!;
    const client = new AbortController();
    const done = start(client.signal).catch(() => {});
    try {
      expect(await until(() => queue.stats.waiting === 1)).toBe(true);
      expect(gateway.services.admission.active).toBe(1);
      client.abort();
      await done;
      expect(await until(() => gateway.services.admission.active === 0 && queue.stats.waiting === 0)).toBe(true);
    } finally {
      free();
    }
    expect(await until(() => queue.stats.running === 0 && queue.stats.pixels === 0)).toBe(true);
    expect(gateway.localBedrock!.requests).toHaveLength(0);
  }

  it('frees its slot and queue place over SSE', async () => {
    await leaveWhileQueued(async (signal) => {
      for await (const _ of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, signal, auth('a')));
    });
  });

  it('frees its slot and queue place for the HTTP mutation', async () => {
    await leaveWhileQueued((signal) => postGraphQL(gateway.graphqlUrl, MUTATION, variables, { signal, headers: auth('a') }));
  });

  it('frees its slot and queue place for uploadImage', async () => {
    await leaveWhileQueued(async (signal) => {
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
      form.set('map', JSON.stringify({ 0: ['variables.file'] }));
      form.set('0', new Blob([new Uint8Array(png)]), 'photo.png');
      await fetch(gateway.graphqlUrl, { method: 'POST', body: form, headers: { 'x-graphql-yoga-csrf': '1', ...auth('a') }, signal });
    });
  });

  it('frees its slot and queue place over graphql-ws (complete, then socket close)', async () => {
    for (const how of ['complete', 'close'] as const) {
      const ws = keyedWs(gateway, 'a');
      await leaveWhileQueued(
        (signal) =>
          new Promise<void>((resolve) => {
            const stop = ws.subscribe({ query: SUBSCRIPTION, variables }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
            signal.addEventListener('abort', () => {
              if (how === 'complete') stop();
              else void ws.dispose();
              resolve();
            });
          }),
      );
      await ws.dispose();
    }
  });

  const ESTIMATE = 'query ($input: DescribeImageInput!) { estimateDescription(input: $input) { inputTokens } }';

  it('frees its slot and queue place for estimateDescription, over HTTP and over graphql-ws', async () => {
    await leaveWhileQueued((signal) => postGraphQL(gateway.graphqlUrl, ESTIMATE, variables, { signal, headers: auth('a') }));
    const ws = keyedWs(gateway, 'a');
    await leaveWhileQueued(
      (signal) =>
        new Promise<void>((resolve) => {
          ws.subscribe({ query: ESTIMATE, variables }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
          signal.addEventListener('abort', () => {
            void ws.dispose();
            resolve();
          });
        }),
    );
  });

  it("bounds a key's estimates by its concurrency (one at a time here), not by its rate", async () => {
    const free = occupyDecodeQueue(gateway);
    const queue = gateway.services.decodeQueue!;
    const first = postGraphQL(gateway.graphqlUrl, ESTIMATE, variables, { headers: auth('a') });
    try {
      expect(await until(() => queue.stats.waiting === 1)).toBe(true);
      const second = await postGraphQL(gateway.graphqlUrl, ESTIMATE, variables, { headers: auth('a') });
      expect(second.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(queue.stats.waiting).toBe(1);
    } finally {
      free();
    }
    expect((await first).data?.estimateDescription.inputTokens).toBeGreaterThan(0);
    // Many estimates in a row take nothing from the key's rate (KEY_RATE_BURST is 10 by default).
    for (let i = 0; i < 12; i++) {
      const result = await postGraphQL(gateway.graphqlUrl, ESTIMATE, variables, { headers: auth('a') });
      expect(result.errors).toBeUndefined();
    }
    expect(gateway.localBedrock!.requests.filter((r) => r.operation !== 'count-tokens')).toHaveLength(0);
  });

  it('the key then holds exactly its limit: one stream, the next refused with no upstream call', async () => {
    const upstream = gateway.localBedrock!;
    upstream.script({ kind: 'text', deltas: SLOW, paceMs: 20 });
    const requested = upstream.nextRequest();
    const client = new AbortController();
    const stream = sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, client.signal, auth('a'));
    await stream.next();
    const before = upstream.requests.length;
    const refused = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: auth('a') });
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Another key is not affected.
    const other = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: auth('b') });
    expect(other.errors).toBeUndefined();
    expect(upstream.requests.length).toBe(before + 1);
    client.abort();
    expect(await within((await requested).settled)).toBe('aborted');
    expect(await until(() => gateway.services.admission.active === 0)).toBe(true);
  });
});

describe('error messages never echo unbounded input', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a' });
  });
  afterAll(() => gateway.stop());

  // Quotes inside a value used to defeat the shortening of echoed values: a
  // 100 KB string came back as a 500 KB error.
  const quoted = 'a"'.repeat(50_000);
  const cases: [string, string, Record<string, unknown> | undefined][] = [
    ['a string with quotes where an Int belongs', MUTATION, { input: { images: [], maxTokens: quoted } }],
    ['an unknown field named by a huge key', MUTATION, { input: { images: [], [quoted]: 1 } }],
    ['a huge key inside an image', MUTATION, { input: { images: [{ base64: 'x', [quoted]: 1 }] } }],
    ['many images of quoted strings', MUTATION, { input: { images: Array.from({ length: 50 }, () => ({ base64: quoted.slice(0, 100), uploadId: 'x' })) } }],
    ['an inline literal with escaped quotes', `mutation { describeImage(input: {images: [], maxTokens: "${quoted.replace(/"/g, '\\"')}"}) { text } }`, undefined],
  ];
  for (const [name, query, variables] of cases) {
    it(`answers ${name} with a short BAD_USER_INPUT-style error`, async () => {
      const result = await postGraphQL(gateway.graphqlUrl, query, variables, { headers: auth('a') });
      expect(result.errors?.length).toBeGreaterThan(0);
      for (const error of result.errors!) expect(error.message.length).toBeLessThan(1000);
      expect(gateway.localBedrock!.requests).toHaveLength(0);
    });
  }

  // The text between a closing and the next opening quote was taken for a long quoted value and cut.
  it('keeps the words of an unknown-field error whole', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: [], x: [[[[1]]]] } }, { headers: auth('a') });
    expect(result.errors?.[0]?.message).toBe(
      'Variable "$input" got invalid value { images: [], x: [[[Array]]] }; Field "x" is not defined by type "DescribeImageInput".',
    );
  });

  it('keeps the path and the reason of a long variable error', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, { input: { images: [], maxTokens: quoted } }, { headers: auth('a') });
    const [error] = result.errors!;
    expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error!.message).toMatch(/^Variable "\$input" got invalid value "a\\"a[^ ]*…" at "input.maxTokens"; Int cannot represent non-integer value: "a\\"a[^ ]*…"$/);
  });
});

describe('graphql-ws: a `complete` the client pads past any size', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a,b', KEY_MAX_CONCURRENT: '1' });
  });
  afterAll(() => gateway.stop());

  async function rawSocket(key: string): Promise<WebSocket> {
    const ws = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'connection_init', payload: auth(key) }));
    await new Promise((resolve) => ws.once('message', resolve));
    return ws;
  }

  // graphql-ws honours it (the id is forgotten, nothing more is sent), so the
  // gateway must too: the mutation's upstream call used to run on, billed,
  // holding the key's only slot, once the message was over 1 KB.
  it('aborts a running mutation and frees its slot', async () => {
    const upstream = gateway.localBedrock!;
    upstream.script({ kind: 'hang' });
    const requested = upstream.nextRequest();
    const ws = await rawSocket('a');
    ws.send(JSON.stringify({ id: 'm1', type: 'subscribe', payload: { query: MUTATION, variables } }));
    const request = await requested;
    ws.send(`{"id":"m1","type":"complete","padding":"${'x'.repeat(4096)}"}`);
    expect(await within(request.settled)).toBe('aborted');
    expect(await until(() => gateway.services.admission.active === 0)).toBe(true);
    // The socket stays usable, and the key has its slot back.
    const answered = new Promise<string>((resolve) => ws.on('message', (data) => resolve(String(data))));
    ws.send(JSON.stringify({ id: 'm2', type: 'subscribe', payload: { query: MUTATION, variables } }));
    expect(JSON.parse(await answered)).toMatchObject({ id: 'm2', type: 'next', payload: { data: { describeImage: { text: expect.any(String) } } } });
    ws.close();
  });
});

describe('graphql-ws: a duplicate operation id too long for a close frame', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a', KEY_MAX_CONCURRENT: '1' });
  });
  afterAll(() => gateway.stop());

  // graphql-ws closes 4409 "Subscriber for <id> already exists"; past 123
  // bytes ws threw instead, and graphql-ws printed the RangeError's stack to
  // stderr (once per attempt, for anyone with a key) and closed with 4500.
  it('closes 4409 with a reason that fits, printing nothing, and frees the slot', async () => {
    const printed = vi.spyOn(console, 'error');
    try {
      gateway.localBedrock!.script({ kind: 'hang' });
      const requested = gateway.localBedrock!.nextRequest();
      const ws = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ type: 'connection_init', payload: auth('a') }));
      await new Promise((resolve) => ws.once('message', resolve));
      const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, String(reason)])));
      const id = 'é'.repeat(500);
      ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: MUTATION, variables } }));
      const request = await requested;
      ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: MUTATION, variables } }));
      const [code, reason] = await closed;
      expect(code).toBe(4409);
      expect(reason).toMatch(/^Subscriber for é+…$/);
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
      expect(await within(request.settled)).toBe('aborted');
      expect(await until(() => gateway.services.admission.active === 0)).toBe(true);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });
});

describe('a body that is not JSON', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a', NODE_ENV: 'production' });
  });
  afterAll(() => gateway.stop());

  // Yoga adds the parser's message as extensions.originalError, and V8's
  // message quotes the unparsable body: 1 MB in came back as 1 MB out.
  for (const [name, body] of [
    ['an unterminated string', `{"query":"${'a'.repeat(1_000_000)}`],
    ['no JSON at all', 'x'.repeat(1_000_000)],
    ['garbage after the JSON', `{"query":"{ __typename }"}${'x'.repeat(100_000)}`],
  ]) {
    it(`answers ${name} with 400 BAD_REQUEST and a short message`, async () => {
      const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { ...auth('a'), 'content-type': 'application/json' }, body });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text.length).toBeLessThan(2000);
      expect(JSON.parse(text)).toMatchObject({ errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
    });
  }
});

describe('per-key slots in Redis after Redis restarts and loses them', () => {
  const redis = useRedis();
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a', KEY_MAX_CONCURRENT: '1', KEY_LEASE_MS: '300', REDIS_URL: redis().url });
  });
  afterAll(() => gateway.stop());

  // Renewal used ZADD XX ("a lease already dropped stays dropped"), so a
  // request that outlived a Redis restart (or a lease that ran out while the
  // event loop was busy) was never counted again: its key could then run
  // more than its limit at once until that request ended.
  it('counts a request still running again, so the key stays within its limit', async () => {
    const upstream = gateway.localBedrock!;
    upstream.script({ kind: 'text', deltas: SLOW, paceMs: 20 });
    const requested = upstream.nextRequest();
    const client = new AbortController();
    const stream = sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, client.signal, auth('a'));
    await stream.next();
    await redis().stop();
    await redis().start();
    expect(await until(() => gateway.services.stores.ready())).toBe(true);
    await sleep(300); // a renewal or two
    const second = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: auth('a') });
    expect(second.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(upstream.requests).toHaveLength(1);
    client.abort();
    expect(await within((await requested).settled)).toBe('aborted');
  });
});

describe('bytes hidden inside a PNG\'s image data', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  /** Every long string of a request body, base64-decoded: the images it carried. */
  function sentBytes(body: unknown): Buffer[] {
    const found: Buffer[] = [];
    JSON.stringify(body, (_key, value: unknown) => {
      const bytes = typeof value === 'string' && value.length > 100 ? Buffer.from(value, 'base64') : undefined;
      if (bytes?.subarray(1, 4).toString('latin1') === 'PNG') found.push(bytes);
      return value;
    });
    return found;
  }

  // The lossless strip kept IDAT chunks whole, and decoders ignore what
  // follows the zlib stream without a warning: those bytes reached Bedrock.
  it('never sends what follows the compressed data: the image is re-encoded instead', async () => {
    const secret = Buffer.from('hidden-after-the-zlib-stream', 'latin1');
    const idatAt = png.indexOf('IDAT', 8, 'latin1') - 4;
    const idatLength = png.readUInt32BE(idatAt);
    const zlib = png.subarray(idatAt + 8, idatAt + 8 + idatLength);
    const smuggling = Buffer.concat([png.subarray(0, idatAt), pngChunk('IDAT', Buffer.concat([zlib, secret])), png.subarray(idatAt + 12 + idatLength)]);
    const result = await postGraphQL(gateway.graphqlUrl, 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { images { reencoded } } }', {
      input: { images: [{ base64: base64(smuggling) }] },
    });
    expect(result.errors).toBeUndefined();
    const [request] = gateway.localBedrock!.requests;
    const images = sentBytes(request!.body);
    expect(images).toHaveLength(1);
    expect(images[0]!.includes(secret)).toBe(false);
    expect(result.data!.describeImage.images).toEqual([{ reencoded: true }]);
  });
});

describe('a subscription over HTTP that accepts no stream', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_KEYS: 'a', KEY_MAX_CONCURRENT: '1' });
  });
  afterAll(() => gateway.stop());

  // Yoga answers 406 after the subscription was admitted and prepared, and
  // dropped the stream without returning it: the slot was never freed, so a
  // few such requests locked a key (or, at MAX_CONCURRENT_STREAMS, the server) out for good.
  it('answers 406 and frees the slot, with no upstream call', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', 'text/html']) {
      const response = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { ...auth('a'), 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: SUBSCRIPTION, variables }),
      });
      expect(response.status).toBe(406);
      expect(await until(() => gateway.services.admission.active === 0)).toBe(true);
    }
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_active_subscriptions 0$/m);
    expect(gateway.localBedrock!.requests).toHaveLength(0);
    // The key's one slot is free for a stream that is read.
    const results = [];
    for await (const result of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, undefined, auth('a'))) results.push(result);
    expect(results.at(-1)?.data?.describeImage?.done).toBe(true);
  });
});

describe('an upstream answer cut short after its 200', () => {
  let upstream: http.Server;
  let calls = 0;
  let gateway: Gateway;
  beforeAll(async () => {
    // A Bedrock that runs the model (200, the answer begins) and loses the connection mid-body.
    upstream = http.createServer(async (req, res) => {
      for await (const _ of req);
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000', 'x-amzn-requestid': `r${calls}` });
      res.write('{"content":[{"type":"text","text":"A red squ');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const { port } = upstream.address() as AddressInfo;
    gateway = await startGateway({ API_KEYS: 'a' }, { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 3 });
  });
  afterAll(async () => {
    await gateway.stop();
    upstream.close();
  });

  // The SDK reports the reset with the 200 attached, which the retry strategy
  // took for a refusal: the mutation's InvokeModel ran, and was billed, three times.
  it('is not sent again: one upstream call, UPSTREAM_UNAVAILABLE', async () => {
    const result = await postGraphQL(gateway.graphqlUrl, MUTATION, variables, { headers: auth('a') });
    expect(result.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(calls).toBe(1);
  });
});
