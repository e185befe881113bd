import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../../api/local/endpoint.js';
import { useGateway } from '../helpers/gateway.js';
import { sseSubscribe } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';

const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done } }';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const gateway = useGateway();
let variables: Record<string, unknown>;

beforeAll(async () => {
  variables = { input: { images: [{ base64: base64(await solidImage('png', 16, 16)) }] } };
});

/** Handles the process holds, by kind (sockets, servers, timers...). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

async function inBatches(count: number, concurrency: number, run: (i: number) => Promise<void>) {
  for (let start = 0; start < count; start += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, count - start) }, (_, k) => run(start + k)));
  }
}

async function complete() {
  let text = '';
  for await (const result of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables)) text += result.data?.describeImage.text ?? '';
  expect(text).toBe('a b c');
}

async function abortAfterFirstChunk() {
  const controller = new AbortController();
  const stream = sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables, controller.signal);
  await stream.next();
  controller.abort();
  await stream.return(undefined).catch(() => {});
}

async function fail() {
  let code: unknown;
  for await (const result of sseSubscribe(gateway.graphqlUrl, SUBSCRIPTION, variables)) code ??= result.errors?.[0]?.extensions?.code;
  expect(code).toBe('UPSTREAM_ERROR');
}

describe('1,000 streamed calls that complete, abort and fail', () => {
  it('leave sockets and heap where they started', async () => {
    const upstream = gateway.localBedrock!;
    const rounds: { count: number; reply: ScriptedReply; run: () => Promise<void> }[] = [
      { count: 400, reply: { kind: 'text', deltas: ['a ', 'b ', 'c'] }, run: complete },
      { count: 300, reply: { kind: 'text', deltas: Array(200).fill('x '), paceMs: 10 }, run: abortAfterFirstChunk },
      { count: 300, reply: { kind: 'stream-error', deltas: ['x '], exceptionType: 'modelStreamErrorException', message: 'e' }, run: fail },
    ];
    // Warm-up: one round of each at full concurrency, so pools and caches exist before the baseline.
    for (const round of rounds) {
      for (let i = 0; i < 25; i++) upstream.script(round.reply);
      await inBatches(25, 25, round.run);
    }
    await expect.poll(() => gateway.services.admission.active).toBe(0);
    const baseline = { resources: resources(), heap: await settledHeap(), requests: upstream.requests.length };

    for (const round of rounds) {
      for (let i = 0; i < round.count; i++) upstream.script(round.reply);
      const t0 = performance.now();
      await inBatches(round.count, 25, round.run);
      console.log(`soak: ${round.count} x ${round.run.name}: ${Math.round(performance.now() - t0)} ms`);
    }

    expect(upstream.requests.length - baseline.requests).toBe(1000);
    await Promise.all(upstream.requests.map((r) => r.settled));
    const outcomes = upstream.requests.slice(baseline.requests).map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(400);
    expect(outcomes.filter((o) => o === 'aborted')).toHaveLength(300);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(300);
    await expect.poll(() => gateway.services.admission.active).toBe(0);

    // Sockets close a little after the last response; wait for them, boundedly.
    await expect
      .poll(() => (resources().TCPSocketWrap ?? 0) <= (baseline.resources.TCPSocketWrap ?? 0), { timeout: 10_000 })
      .toBe(true);
    const after = resources();
    console.log('soak: resources before', baseline.resources, 'after', after);
    expect(after.TCPServerWrap).toBe(baseline.resources.TCPServerWrap);
    const heapGrowth = (await settledHeap()) - baseline.heap;
    console.log(`soak: heap growth after 1,000 calls: ${(heapGrowth / 1e6).toFixed(1)} MB`);
    // A leak of even 20 kB per call would show as 20 MB.
    expect(heapGrowth).toBeLessThan(15_000_000);
  }, 120_000);
});
