import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalBedrock } from '../../api/local/endpoint.js';
import { useGateway } from '../helpers/gateway.js';
import { postGraphQL, sseSubscribe, wsClient } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { index text done } }';
const DELTAS = Array.from({ length: 200 }, (_, i) => `word${i} `);

const gateway = useGateway();
let upstream: LocalBedrock;
let variables: Record<string, unknown>;

beforeAll(async () => {
  upstream = gateway.localBedrock!;
  variables = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
});

/** A slow upstream stream (200 deltas, 20 ms apart): it cannot finish on its own during a test. */
function scriptSlowStream() {
  upstream.script({ kind: 'text', deltas: DELTAS, paceMs: 20 });
  return upstream.nextRequest();
}

describe('cancellation', () => {
  it('aborts the Bedrock stream when the client unsubscribes over graphql-ws', async () => {
    const requested = scriptSlowStream();
    const client = wsClient(gateway.wsUrl);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe(
        { query: SUBSCRIPTION, variables },
        {
          next: (result) => {
            received.push((result.data as { describeImage: { text: string } }).describeImage.text);
            if (received.length === 3) {
              unsubscribe();
              resolve();
            }
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    const request = await requested;
    expect(await request.settled).toBe('aborted');
    expect(received).toEqual(DELTAS.slice(0, 3));
    // The same socket keeps working after the unsubscribe.
    const result = await new Promise((resolve, reject) =>
      client.subscribe({ query: '{ serverInfo { bedrockMode } }' }, { next: resolve, error: reject, complete: () => {} }),
    );
    expect(result).toEqual({ data: { serverInfo: { bedrockMode: 'LOCAL' } } });
    await client.dispose();
  });

  it('aborts the Bedrock stream when the WebSocket closes', async () => {
    const requested = scriptSlowStream();
    const client = wsClient(gateway.wsUrl);
    let chunks = 0;
    const firstChunk = new Promise<void>((resolve) =>
      client.subscribe({ query: SUBSCRIPTION, variables }, { next: () => ++chunks === 1 && resolve(), error: () => {}, complete: () => {} }),
    );
    await firstChunk;
    await client.dispose();
    expect(await (await requested).settled).toBe('aborted');
  });

  it('aborts the Bedrock stream when the SSE client disconnects', async () => {
    const requested = scriptSlowStream();
    const controller = new AbortController();
    const stream = sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, controller.signal);
    const first = await stream.next();
    expect(first.value?.data?.describeImage.text).toBe(DELTAS[0]);
    controller.abort();
    await stream.return(undefined).catch(() => {});
    expect(await (await requested).settled).toBe('aborted');
  });

  it('aborts the Bedrock call when the HTTP client of a mutation goes away', async () => {
    upstream.script({ kind: 'hang' });
    const requested = upstream.nextRequest();
    const controller = new AbortController();
    const pending = postGraphQL(
      gateway.graphqlUrl,
      'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { text } }',
      variables,
      { signal: controller.signal },
    ).catch((error: Error) => error.name);
    const request = await requested;
    controller.abort();
    expect(await pending).toBe('AbortError');
    expect(await request.settled).toBe('aborted');
  });

  it('makes exactly one upstream call per subscription, even when it fails mid-stream', async () => {
    const before = upstream.requests.length;
    upstream.script({ kind: 'stream-error', deltas: ['partial '], exceptionType: 'modelStreamErrorException', message: 'boom' });
    const results = [];
    for await (const result of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables)) results.push(result);
    expect(results.at(-1)!.errors![0]!.extensions!.code).toBe('UPSTREAM_ERROR');
    expect(upstream.requests.length - before).toBe(1);
  });

  it('reuses a kept-alive upstream connection after a finished call, and never the one of a cancelled call', async () => {
    const collectAll = async () => {
      for await (const result of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables)) expect(result.errors).toBeUndefined();
    };
    const first = upstream.nextRequest();
    await collectAll();
    const second = upstream.nextRequest();
    await collectAll();
    expect((await second).clientPort).toBe((await first).clientPort);

    // Cancelled mid-stream: its connection is closed with it, so the next call opens another.
    const cancelled = scriptSlowStream();
    const controller = new AbortController();
    const stream = sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, controller.signal);
    await stream.next();
    controller.abort();
    await stream.return(undefined).catch(() => {});
    expect(await (await cancelled).settled).toBe('aborted');
    const after = upstream.nextRequest();
    await collectAll();
    expect((await after).clientPort).not.toBe((await cancelled).clientPort);
  });
});
