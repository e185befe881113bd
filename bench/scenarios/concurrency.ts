import http from 'node:http';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { cpuMsOf, ownCpuMs, rssOf } from '../lib/children.js';
import { monotonicMs, pool, sleep, within } from '../lib/clock.js';
import { deltaEnds, deltasFor } from '../lib/deltas.js';
import { GqlWsConnection } from '../lib/gql-ws.js';
import { SUBSCRIPTION, type Gateway, type Harness } from '../lib/harness.js';
import { summarise, type Summary } from '../lib/stats.js';
import { runSubscription, type Received, type Transport } from '../lib/subscription.js';

export interface ConcurrencyResult {
  transport: Transport;
  streams: number;
  deltasPerStream: number;
  deltasPerSecondPerStream: number;
  /** Subscriptions whose upstream call was open when streaming began. */
  established: number;
  /** From the first subscribe until every upstream call was open, s. */
  setupSeconds: number;
  /** Gateway-process CPU per subscription while they were being set up, ms. */
  setupCpuMsPerSubscription: number;
  /** Streams whose text was not byte-exact, that failed, never started or never finished. */
  failures: number;
  failureKinds: Record<string, number>;
  /** Upstream write → client receive, for every delta of every stream, ms. */
  lagMs: Summary;
  /** Messages received per stream (median): below deltasPerStream means merged chunks. */
  chunksPerStream: number;
  /** Share of the streaming phase the gateway's event loop (its one JavaScript thread) was busy. */
  gatewayLoopBusy: number;
  upstreamLoopBusy: number;
  /** Gateway-process CPU (all threads) over the streaming phase, % of one core. */
  gatewayCpuPercent: number;
  gatewayCpuUsPerDelta: number;
  upstreamCpuPercent: number;
  loadGeneratorCpuPercent: number;
  /** (Gateway RSS mid-stream − RSS before connecting) ÷ streams, bytes. */
  rssPerSubscription: number;
  gatewayRssPeak: number;
  streamingSeconds: number;
  /** CLOCK_MONOTONIC ms of the phases, to line a --cpu-prof profile up with them. */
  phases: { setup: number; release: number; end: number };
}

function failureKind(received: Received, expected: string): string | undefined {
  if (received.failure) return received.failure.replace(/\d+/g, 'N').slice(0, 80);
  if (received.text !== expected) return 'text not byte-exact';
  return undefined;
}

/**
 * Scenario 3: N concurrent subscriptions, one connection each (as N users
 * would have), each fed 20 deltas/s. First every subscription is set up: the
 * upstream holds each call (after its first frames) until all N are open.
 * The image is uploaded once and referred to by id. Then all streams start,
 * spread over one pace period so deltas arrive at an even rate, and the
 * relay is measured in that steady state: per-delta lag (client receive −
 * upstream write, both on CLOCK_MONOTONIC), gateway CPU and event-loop load,
 * RSS per active subscription. Setting up thousands of subscriptions is its
 * own cost, reported separately (time and CPU per subscription).
 */
export async function concurrencyScenario(harness: Harness, gateway: Gateway, transport: Transport, streams: number): Promise<ConcurrencyResult> {
  const deltas = harness.quick ? 40 : 80;
  const paceMs = 50;
  const firstStream = 10_000_000 + streams * 10 + (transport === 'ws' ? 0 : 1) * 1_000_000;
  const pid = gateway.child.pid;
  const upstreamPid = harness.upstream.pid;
  await harness.upstream.call('clear');
  // One image, checked once at upload: setting up thousands of subscriptions
  // then measures the gateway and the SDK, not sharp (scenario 1 covers inline images).
  const uploadId = await harness.upload(gateway);
  await gateway.child.call('gc');
  const rssBefore = rssOf(pid);

  const connections: GqlWsConnection[] = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  if (transport === 'ws') {
    await within(120_000, `opening ${streams} WebSockets`, pool(Array.from({ length: streams }), 100, async () => {
      connections.push(await GqlWsConnection.open(gateway.wsUrl, 60_000));
    }));
  }

  // Set-up: subscribe N times, 100 in flight at most, until the upstream holds every call.
  const setupStarted = monotonicMs();
  const setupCpu0 = cpuMsOf(pid);
  const outcomes: Promise<Received>[] = [];
  let started = 0;
  let endedEarly = 0;
  const setupDeadline = setupStarted + 180_000;
  const subscribeAll = pool(Array.from({ length: streams }), 100, async (_, i) => {
    const spec = { stream: firstStream + i, deltas, paceMs, timed: true, held: true };
    const target =
      transport === 'ws' ? { kind: 'ws' as const, connection: connections[i]! } : { kind: 'sse' as const, url: gateway.graphqlUrl, agent };
    const outcome = runSubscription(target, SUBSCRIPTION, harness.variables(spec, uploadId), { trackArrivals: true });
    outcomes.push(outcome);
    void outcome.then(() => endedEarly++);
    started++;
    // Pace the set-up by the gateway's progress, not by our own speed.
    while ((await harness.upstream.call<number>('held')) + endedEarly < started - 100 && monotonicMs() < setupDeadline) await sleep(20);
  });
  await subscribeAll;
  let established = 0;
  while ((established = await harness.upstream.call<number>('held')) + endedEarly < streams && monotonicMs() < setupDeadline) await sleep(50);
  // Let the gateway finish with the answers' headers before the deltas start.
  for (let tries = 0; tries < 100; tries++) {
    const before: EventLoopUtilization = await gateway.child.call('elu');
    await sleep(200);
    const after: EventLoopUtilization = await gateway.child.call('elu');
    if ((after.active - before.active) / (after.active - before.active + after.idle - before.idle) < 0.3) break;
  }
  const setupSeconds = (monotonicMs() - setupStarted) / 1000;
  const setupCpuMsPerSubscription = (cpuMsOf(pid) - setupCpu0) / Math.max(1, established);

  // Streaming.
  const elu0: EventLoopUtilization = await gateway.child.call('elu');
  const upElu0: EventLoopUtilization = await harness.upstream.call('elu');
  const cpu0 = { gateway: cpuMsOf(pid), upstream: cpuMsOf(upstreamPid), own: ownCpuMs(), at: monotonicMs() };
  let rssMid = 0;
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(pid))), 100);
  const midway = setTimeout(() => (rssMid = rssOf(pid)), (deltas * paceMs) / 2);
  await harness.upstream.call('release', { spreadMs: paceMs });
  const deadlineMs = deltas * paceMs + 30_000;
  const unfinished = (): Received => ({ sentAt: NaN, firstAt: NaN, endAt: NaN, text: '', chunks: 0, failure: `did not finish within ${deadlineMs / 1000} s of the start` });
  const results = await Promise.all(
    outcomes.map((outcome) => Promise.race([outcome, sleep(deadlineMs).then(unfinished)])),
  );
  const cpu1 = { gateway: cpuMsOf(pid), upstream: cpuMsOf(upstreamPid), own: ownCpuMs(), at: monotonicMs() };
  const elu1: EventLoopUtilization = await gateway.child.call('elu');
  const upElu1: EventLoopUtilization = await harness.upstream.call('elu');
  clearInterval(sampler);
  clearTimeout(midway);
  rssMid ||= rssOf(pid);

  const sent: (Float64Array | null)[] = await harness.upstream.call(
    'sentTimes',
    results.map((_, i) => firstStream + i),
  );
  const lags: number[] = [];
  const failureKinds: Record<string, number> = {};
  const chunkCounts: number[] = [];
  results.forEach((received, i) => {
    const expected = deltasFor(firstStream + i, deltas);
    const kind = failureKind(received, expected.join(''));
    if (kind) {
      failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
      return;
    }
    chunkCounts.push(received.chunks);
    const ends = deltaEnds(expected);
    const times = sent[i];
    const { at, length } = received.arrivals!;
    let chunk = 0;
    for (let k = 0; k < ends.length; k++) {
      while (length[chunk]! < ends[k]!) chunk++;
      if (times && Number.isFinite(times[k])) lags.push(at[chunk]! - times[k]!);
    }
  });
  const failures = Object.values(failureKinds).reduce((a, b) => a + b, 0) + (streams - results.length);

  for (const connection of connections) connection.terminate();
  agent.destroy();

  const wallMs = cpu1.at - cpu0.at;
  return {
    transport,
    streams,
    deltasPerStream: deltas,
    deltasPerSecondPerStream: 1000 / paceMs,
    established,
    setupSeconds,
    setupCpuMsPerSubscription,
    failures,
    failureKinds,
    lagMs: summarise(lags),
    chunksPerStream: summarise(chunkCounts).p50,
    upstreamLoopBusy: (upElu1.active - upElu0.active) / (upElu1.active - upElu0.active + upElu1.idle - upElu0.idle),
    gatewayLoopBusy: (elu1.active - elu0.active) / (elu1.active - elu0.active + elu1.idle - elu0.idle),
    gatewayCpuPercent: ((cpu1.gateway - cpu0.gateway) / wallMs) * 100,
    gatewayCpuUsPerDelta: ((cpu1.gateway - cpu0.gateway) * 1000) / (streams * deltas),
    upstreamCpuPercent: ((cpu1.upstream - cpu0.upstream) / wallMs) * 100,
    loadGeneratorCpuPercent: ((cpu1.own - cpu0.own) / wallMs) * 100,
    rssPerSubscription: (rssMid - rssBefore) / streams,
    gatewayRssPeak: rssPeak,
    streamingSeconds: wallMs / 1000,
    phases: { setup: setupStarted, release: cpu0.at, end: cpu1.at },
  };
}
