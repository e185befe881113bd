import http from 'node:http';
import { cpuMsOf } from '../lib/children.js';
import { monotonicMs, within } from '../lib/clock.js';
import { deltasFor } from '../lib/deltas.js';
import { directStream } from '../lib/direct.js';
import { GqlWsConnection } from '../lib/gql-ws.js';
import { SUBSCRIPTION, type Gateway, type Harness } from '../lib/harness.js';
import { median } from '../lib/stats.js';
import { runSubscription } from '../lib/subscription.js';

type Path = 'direct' | 'ws' | 'sse' | 'relay';

export interface PathResult {
  /** Median over the repetitions. */
  deltasPerSecond: number;
  runs: number[];
  /** Messages the client received per stream (median): fewer than deltas means merged chunks. */
  chunks: number;
  /** Gateway-process CPU per delta, µs (median; not applicable to direct). */
  gatewayCpuUsPerDelta: number;
}

export interface ThroughputResult {
  deltas: number;
  repetitions: number;
  paths: Record<Path, PathResult>;
  /** Through the gateway ÷ direct SDK loop. */
  wsVsDirect: number;
  sseVsDirect: number;
  /** Through the gateway ÷ plain chunked-HTTP relay. */
  wsVsRelay: number;
  sseVsRelay: number;
  relayVsDirect: number;
  failures: number;
}

/** The plain relay's client: POST the Messages body, read the chunked text to the end. */
function relayStream(url: string, body: string): Promise<{ sentAt: number; endAt: number; text: string; chunks: number }> {
  return new Promise((resolve, reject) => {
    const sentAt = monotonicMs();
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.setEncoding('utf8');
      let text = '';
      let chunks = 0;
      response.on('data', (part: string) => {
        chunks++;
        text += part;
      });
      response.on('end', () => resolve({ sentAt, endAt: monotonicMs(), text, chunks }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Scenario 2: one stream of many deltas with no pacing, so whatever is
 * slowest on the path sets the rate. Paths run in turn, repeated; each rate is
 * deltas ÷ (request sent → last text received).
 */
export async function throughputScenario(harness: Harness, gateway: Gateway): Promise<ThroughputResult> {
  const deltas = 10_000;
  const repetitions = harness.quick ? 2 : 5;
  const connection = await GqlWsConnection.open(gateway.wsUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rates: Record<Path, number[]> = { direct: [], ws: [], sse: [], relay: [] };
  const chunks: Record<Path, number[]> = { direct: [], ws: [], sse: [], relay: [] };
  const cpu: Record<Path, number[]> = { direct: [], ws: [], sse: [], relay: [] };
  let failures = 0;
  let stream = 2_000_000;

  const run = async (path: Path) => {
    const spec = { stream: stream++, deltas, paceMs: 0 };
    const expected = deltasFor(spec.stream, deltas).join('');
    const cpuBefore = cpuMsOf(gateway.child.pid);
    let result: { sentAt: number; endAt: number; text: string; chunks: number; failure?: string };
    if (path === 'direct') {
      const direct = await directStream(harness.direct[gateway.upstream], harness.body(spec));
      result = { ...direct, chunks: direct.deltas };
    } else if (path === 'relay') {
      result = await relayStream(gateway.relayUrl, harness.body(spec));
    } else {
      const transport = path === 'ws' ? { kind: 'ws' as const, connection } : { kind: 'sse' as const, url: gateway.graphqlUrl, agent };
      result = await runSubscription(transport, SUBSCRIPTION, harness.variables(spec));
    }
    if (result.failure || result.text !== expected) failures++;
    rates[path].push(deltas / ((result.endAt - result.sentAt) / 1000));
    chunks[path].push(result.chunks);
    cpu[path].push(((cpuMsOf(gateway.child.pid) - cpuBefore) * 1000) / deltas);
  };

  await within(120_000, 'throughput scenario', (async () => {
    await run('ws'); // warm-up: JIT, connections
    await run('direct');
    rates.ws.length = rates.direct.length = chunks.ws.length = chunks.direct.length = cpu.ws.length = cpu.direct.length = 0;
    for (let rep = 0; rep < repetitions; rep++) {
      for (const path of ['direct', 'ws', 'sse', 'relay'] as const) await run(path);
    }
  })());
  connection.close();
  agent.destroy();

  const paths = Object.fromEntries(
    (Object.keys(rates) as Path[]).map((path) => [
      path,
      {
        deltasPerSecond: median(rates[path]),
        runs: rates[path].map(Math.round),
        chunks: median(chunks[path]),
        gatewayCpuUsPerDelta: path === 'direct' ? NaN : median(cpu[path]),
      },
    ]),
  ) as Record<Path, PathResult>;
  return {
    deltas,
    repetitions,
    paths,
    wsVsDirect: paths.ws.deltasPerSecond / paths.direct.deltasPerSecond,
    sseVsDirect: paths.sse.deltasPerSecond / paths.direct.deltasPerSecond,
    wsVsRelay: paths.ws.deltasPerSecond / paths.relay.deltasPerSecond,
    sseVsRelay: paths.sse.deltasPerSecond / paths.relay.deltasPerSecond,
    relayVsDirect: paths.relay.deltasPerSecond / paths.direct.deltasPerSecond,
    failures,
  };
}
