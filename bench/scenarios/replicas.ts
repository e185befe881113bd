import http from 'node:http';
import { readFileSync } from 'node:fs';
import { startNginx } from '../../test/helpers/nginx.js';
import { startRedis } from '../../test/helpers/redis.js';
import { cpuMsOf, ownCpuMs } from '../lib/children.js';
import { monotonicMs, pool, sleep } from '../lib/clock.js';
import { deltaEnds, deltasFor } from '../lib/deltas.js';
import { SUBSCRIPTION, type Gateway, type Harness } from '../lib/harness.js';
import { summarise, type Summary } from '../lib/stats.js';
import { runSubscription, type Received } from '../lib/subscription.js';

export interface ReplicasResult {
  replicas: number;
  streams: number;
  deltasPerStream: number;
  deltasPerSecondPerStream: number;
  failures: number;
  failureKinds: Record<string, number>;
  /** Upstream write → client receive, every delta of every stream, through nginx, ms. */
  lagMs: Summary;
  /** From the first subscribe until every upstream call was open, s. */
  setupSeconds: number;
  /** Over the streaming phase, % of one core: all gateways together, nginx (master + worker), redis-server, upstream, load generator. */
  gatewaysCpuPercent: number;
  nginxCpuPercent: number;
  redisCpuPercent: number;
  upstreamCpuPercent: number;
  loadGeneratorCpuPercent: number;
  /** Gateway CPU per subscription during set-up (admission through Redis, upstream call), ms. */
  setupCpuMsPerSubscription: number;
}

const KEY = 'bench-key';

/** A process and its children (nginx's worker runs under its master). */
function treeCpuMs(pid: number): number {
  let total = cpuMsOf(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += cpuMsOf(Number(child));
  } catch {
    // exited
  }
  return total;
}

/**
 * Scenario 6: N concurrent SSE streams through nginx to 1 or 2 gateway
 * replicas sharing a redis-server, with an API key so every stream goes
 * through the Redis admission path (concurrency lease, rate, uploaded image
 * read from Redis, lease renewal and release). Same shape as scenario 3: all
 * subscriptions set up and held by the upstream, then released together.
 * Every process runs on this one machine and shares its cores.
 */
export async function replicasScenario(harness: Harness, replicas: number, streams: number): Promise<ReplicasResult> {
  const deltas = harness.quick ? 40 : 80;
  const paceMs = 50;
  const firstStream = 30_000_000 + replicas * 100_000 + streams;
  await harness.upstream.call('clear');
  const redis = await startRedis();
  const gateways: Gateway[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    const env = {
      REDIS_URL: redis.url,
      API_KEYS: KEY,
      KEY_MAX_CONCURRENT: String(streams + 10),
      KEY_RATE_PER_MINUTE: '1000000',
      KEY_RATE_BURST: '1000000',
    };
    for (let i = 0; i < replicas; i++) gateways.push(await harness.startGateway(`replicas-${replicas}-${i}`, 'replay', env));
    nginx = await startNginx(gateways.map((gateway) => new URL(gateway.graphqlUrl).host));
    const url = `${nginx.url}/graphql`;
    const headers = { authorization: `Bearer ${KEY}` };
    const uploadId = await harness.upload({ graphqlUrl: url }, headers);
    const pids = gateways.map((gateway) => gateway.child.pid);
    const cpu = () => ({
      gateways: pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
      nginx: treeCpuMs(nginx!.pid),
      redis: redis.pid ? cpuMsOf(redis.pid) : 0,
      upstream: cpuMsOf(harness.upstream.pid),
      own: ownCpuMs(),
      at: monotonicMs(),
    });

    const setup0 = cpu();
    const outcomes: Promise<Received>[] = [];
    let endedEarly = 0;
    const deadline = setup0.at + 180_000;
    await pool(Array.from({ length: streams }), 100, async (_, i) => {
      const spec = { stream: firstStream + i, deltas, paceMs, timed: true, held: true };
      const outcome = runSubscription({ kind: 'sse', url, agent, headers }, SUBSCRIPTION, harness.variables(spec, uploadId), { trackArrivals: true });
      outcomes.push(outcome);
      void outcome.then(() => endedEarly++);
      while ((await harness.upstream.call<number>('held')) + endedEarly < outcomes.length - 100 && monotonicMs() < deadline) await sleep(20);
    });
    while ((await harness.upstream.call<number>('held')) + endedEarly < streams && monotonicMs() < deadline) await sleep(50);
    await sleep(500); // let the gateways finish sending the answers' headers
    const cpu0 = cpu();

    await harness.upstream.call('release', { spreadMs: paceMs });
    const deadlineMs = deltas * paceMs + 30_000;
    const unfinished = (): Received => ({ sentAt: NaN, firstAt: NaN, endAt: NaN, text: '', chunks: 0, failure: `did not finish within ${deadlineMs / 1000} s` });
    const results = await Promise.all(outcomes.map((outcome) => Promise.race([outcome, sleep(deadlineMs).then(unfinished)])));
    const cpu1 = cpu();

    const sent: (Float64Array | null)[] = await harness.upstream.call('sentTimes', results.map((_, i) => firstStream + i));
    const lags: number[] = [];
    const failureKinds: Record<string, number> = {};
    results.forEach((received, i) => {
      const expected = deltasFor(firstStream + i, deltas);
      const kind = received.failure ? received.failure.replace(/\d+/g, 'N').slice(0, 80) : received.text !== expected.join('') ? 'text not byte-exact' : undefined;
      if (kind) {
        failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
        return;
      }
      const ends = deltaEnds(expected);
      const times = sent[i];
      const { at, length } = received.arrivals!;
      let chunk = 0;
      for (let k = 0; k < ends.length; k++) {
        while (length[chunk]! < ends[k]!) chunk++;
        if (times && Number.isFinite(times[k])) lags.push(at[chunk]! - times[k]!);
      }
    });
    const wallMs = cpu1.at - cpu0.at;
    const percent = (key: 'gateways' | 'nginx' | 'redis' | 'upstream' | 'own') => ((cpu1[key] - cpu0[key]) / wallMs) * 100;
    return {
      replicas,
      streams,
      deltasPerStream: deltas,
      deltasPerSecondPerStream: 1000 / paceMs,
      failures: Object.values(failureKinds).reduce((a, b) => a + b, 0),
      failureKinds,
      lagMs: summarise(lags),
      setupSeconds: (cpu0.at - setup0.at) / 1000,
      setupCpuMsPerSubscription: (cpu0.gateways - setup0.gateways) / streams,
      gatewaysCpuPercent: percent('gateways'),
      nginxCpuPercent: percent('nginx'),
      redisCpuPercent: percent('redis'),
      upstreamCpuPercent: percent('upstream'),
      loadGeneratorCpuPercent: percent('own'),
    };
  } finally {
    agent.destroy();
    for (const gateway of gateways) await gateway.child.stop();
    await nginx?.dispose();
    await redis.dispose();
  }
}
