import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLocalBedrock, type LocalBedrock } from '../../api/local/endpoint.js';
import { collect, sseSubscribe, type Result } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';
import { startMain, type MainProcess } from '../helpers/main-process.js';

const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';
const GRACE_MS = 1500;

let bedrock: LocalBedrock;
let main: MainProcess;
let variables: Record<string, unknown>;

beforeAll(async () => {
  bedrock = await startLocalBedrock();
  variables = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
  main = await startMain({
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    AWS_MAX_ATTEMPTS: '1',
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
  });
});

afterAll(async () => {
  if (main.child.exitCode === null) main.child.kill('SIGKILL');
  await bedrock.stop();
});

describe('graceful shutdown on SIGTERM', () => {
  it('stops taking work, lets streams finish within the grace period, closes sockets with 1001 and exits 0', async () => {
    const short = Array.from({ length: 10 }, (_, i) => `s${i} `); // ~0.5 s: finishes within the grace period
    const long = Array.from({ length: 200 }, (_, i) => `l${i} `); // ~10 s: cut at the end of the grace period
    bedrock.script(
      { kind: 'text', deltas: short, paceMs: 50 },
      { kind: 'text', deltas: long, paceMs: 50 },
      { kind: 'text', deltas: long, paceMs: 50 },
    );

    const closeCodes: number[] = [];
    // A client that stays connected and reconnects on its own, as browsers' graphql-ws clients do.
    const client = createClient({
      lazy: false,
      onNonLazyError: () => {}, // reconnecting to a stopped server fails; that is expected here
      url: `${main.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 3,
      retryWait: () => sleep(100),
      shouldRetry: () => true,
      on: { closed: (event) => void closeCodes.push((event as { code: number }).code) },
    });
    const run = () => {
      const results: Result[] = [];
      const done = new Promise<Result[]>((resolve, reject) =>
        client.subscribe({ query: SUBSCRIPTION, variables }, { next: (r) => void results.push(r as Result), error: reject, complete: () => resolve(results) }),
      );
      return { results, done };
    };
    const shortRun = run();
    await bedrock.nextRequest();
    const longRun = run();
    await bedrock.nextRequest();
    const sseRun = collect(sseSubscribe(`${main.url}/graphql`, SUBSCRIPTION, variables));
    await bedrock.nextRequest();
    await expect.poll(() => shortRun.results.length > 0 && longRun.results.length > 0).toBe(true);

    const signalledAt = performance.now();
    const exited = once(main.child, 'exit');
    main.child.kill('SIGTERM');

    await expect.poll(async () => (await fetch(`${main.url}/ready`)).status).toBe(503);
    const refused = await collect(sseSubscribe(`${main.url}/graphql`, SUBSCRIPTION, variables));
    expect(refused[0]!.errors![0]!.extensions!.code).toBe('SHUTTING_DOWN');

    const shortResults = await shortRun.done;
    expect(shortResults.map((r) => r.data!.describeImage.text).join('')).toBe(short.join(''));
    expect(shortResults.at(-1)!.data!.describeImage.done).toBe(true);

    const longResults = await longRun.done;
    const longText = longResults.map((r) => r.data?.describeImage.text ?? '').join('');
    expect(long.join('').startsWith(longText)).toBe(true);
    expect(longText.length).toBeLessThan(long.join('').length);

    // The SSE stream past the deadline ends the same way: its text so far, then `complete`.
    const sseText = (await sseRun).map((r) => r.data?.describeImage.text ?? '').join('');
    expect(long.join('').startsWith(sseText)).toBe(true);
    expect(sseText.length).toBeGreaterThan(0);

    const [code] = await exited;
    const elapsed = performance.now() - signalledAt;
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(GRACE_MS + 2000);
    expect(closeCodes[0]).toBe(1001);
    expect(bedrock.requests.map((r) => r.outcome)).toEqual(['completed', 'aborted', 'aborted']);

    // The client keeps trying to reconnect; completed streams are never re-subscribed, so nothing is billed twice.
    await sleep(500);
    await client.dispose();
    expect(bedrock.requests).toHaveLength(3);
  }, 20_000);
});
