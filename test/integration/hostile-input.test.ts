import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
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
    gateway = await startGateway({ API_KEYS: KEY, KEY_MAX_CONCURRENT: '2', KEY_RATE_PER_MINUTE: '0', MAX_CONCURRENT_STREAMS: '3' });
  });
  afterAll(() => gateway.stop());

  const expectAllFree = async () => {
    await expect.poll(() => gateway.services.admission.active, { timeout: 1000 }).toBe(0);
    expect(await activeSubscriptions(gateway)).toBe(0);
  };

  /** The key can still run its full quota at once, and each finishes. */
  const expectKeyUsable = async () => {
    const runs = await Promise.all([sse(gateway, small), sse(gateway, small)]);
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
    expect(gateway.localBedrock!.requests.length - before).toBe(2);
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
