import { monotonicMs, within } from '../lib/clock.js';
import { deltasFor } from '../lib/deltas.js';
import { directConverseStream } from '../lib/direct.js';
import { GqlWsConnection } from '../lib/gql-ws.js';
import { SUBSCRIPTION, type Gateway, type Harness } from '../lib/harness.js';
import { median, summarise, type Summary } from '../lib/stats.js';
import { runSubscription } from '../lib/subscription.js';

/** The gateway's environment for these scenarios: the local model reached through Converse. */
export const CONVERSE_GATEWAY_ENV = { LOCAL_MODEL_API: 'converse' };

export interface ConverseTtftResult {
  iterations: number;
  deltasPerStream: number;
  /** Direct SDK ConverseStream → first delta. */
  directMs: Summary;
  wsMs: Summary;
  /** Per round: graphql-ws minus the direct time measured next to it. */
  wsAddedMs: Summary;
  failures: number;
}

export interface ConverseThroughputResult {
  deltas: number;
  repetitions: number;
  directPerSecond: number;
  wsPerSecond: number;
  wsVsDirect: number;
  failures: number;
}

/**
 * Time to first token on the Converse path: the gateway (its Converse adapter
 * and one-pass decoder) against a direct SDK ConverseStream call to the same
 * local upstream, taken in turn (alternating which goes first).
 */
export async function converseTtftScenario(harness: Harness, gateway: Gateway): Promise<ConverseTtftResult> {
  const warmup = 30;
  const iterations = harness.quick ? 100 : 400;
  const deltas = 5;
  const connection = await GqlWsConnection.open(gateway.wsUrl);
  const direct: number[] = [];
  const ws: number[] = [];
  const added: number[] = [];
  let failures = 0;
  const deadline = monotonicMs() + 120_000;
  for (let i = 0; i < warmup + iterations; i++) {
    if (monotonicMs() > deadline) throw new Error(`Converse time to first token: ${i} rounds took over 120 s`);
    const spec = { stream: 3_000_000 + i, deltas, paceMs: 0 };
    const expected = deltasFor(spec.stream, deltas).join('');
    const times = { direct: NaN, ws: NaN };
    const runs = {
      direct: async () => {
        const result = await directConverseStream(harness.direct[gateway.upstream], harness.request(spec));
        if (result.text !== expected) failures++;
        times.direct = result.firstAt - result.sentAt;
      },
      ws: async () => {
        const result = await runSubscription({ kind: 'ws', connection }, SUBSCRIPTION, harness.variables(spec));
        if (result.failure || result.text !== expected) failures++;
        times.ws = result.firstAt - result.sentAt;
      },
    };
    for (const name of i % 2 ? (['ws', 'direct'] as const) : (['direct', 'ws'] as const)) await runs[name]();
    if (i < warmup) continue;
    direct.push(times.direct);
    ws.push(times.ws);
    added.push(times.ws - times.direct);
  }
  connection.close();
  return { iterations, deltasPerStream: deltas, directMs: summarise(direct), wsMs: summarise(ws), wsAddedMs: summarise(added), failures };
}

/**
 * Relay throughput on the Converse path: one stream of many ConverseStream
 * deltas with no pacing (the replay upstream), through the gateway over
 * graphql-ws and through a direct SDK ConverseStream loop.
 */
export async function converseThroughputScenario(harness: Harness, gateway: Gateway): Promise<ConverseThroughputResult> {
  const deltas = 10_000;
  const repetitions = harness.quick ? 2 : 5;
  const connection = await GqlWsConnection.open(gateway.wsUrl);
  const rates = { direct: [] as number[], ws: [] as number[] };
  let failures = 0;
  let stream = 4_000_000;
  const run = async (path: 'direct' | 'ws') => {
    const spec = { stream: stream++, deltas, paceMs: 0 };
    const expected = deltasFor(spec.stream, deltas).join('');
    const result =
      path === 'direct'
        ? await directConverseStream(harness.direct[gateway.upstream], harness.request(spec))
        : await runSubscription({ kind: 'ws', connection }, SUBSCRIPTION, harness.variables(spec));
    if (('failure' in result && result.failure) || result.text !== expected) failures++;
    rates[path].push(deltas / ((result.endAt - result.sentAt) / 1000));
  };
  await within(120_000, 'Converse throughput scenario', (async () => {
    await run('ws'); // warm-up: JIT, connections
    await run('direct');
    rates.ws.length = rates.direct.length = 0;
    for (let rep = 0; rep < repetitions; rep++) for (const path of ['direct', 'ws'] as const) await run(path);
  })());
  connection.close();
  const directPerSecond = median(rates.direct);
  const wsPerSecond = median(rates.ws);
  return { deltas, repetitions, directPerSecond, wsPerSecond, wsVsDirect: wsPerSecond / directPerSecond, failures };
}
