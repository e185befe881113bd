import type { ConcurrencyResult } from './scenarios/concurrency.js';
import type { ConverseThroughputResult, ConverseTtftResult } from './scenarios/converse.js';
import type { IdleResult } from './scenarios/idle.js';
import type { ImageResult } from './scenarios/images.js';
import type { ReplicasResult } from './scenarios/replicas.js';
import type { MemoryResult } from './scenarios/memory.js';
import type { ThroughputResult } from './scenarios/throughput.js';
import type { TtftResult } from './scenarios/ttft.js';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  date: string;
  command: string;
  commit: string;
}

export interface BenchResults {
  machine: Machine;
  quick: boolean;
  durationSeconds?: number;
  ttft?: TtftResult;
  throughput?: ThroughputResult;
  /** The same two measures on the Converse path (the local model through ConverseStream). */
  converse?: { ttft?: ConverseTtftResult; throughput?: ConverseThroughputResult };
  concurrency?: ConcurrencyResult[];
  idle?: IdleResult;
  images?: ImageResult[];
  replicas?: ReplicasResult[];
  memory?: MemoryResult[];
  targets?: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '–');
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : '–');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { ttft, throughput, concurrency, idle, images } = results;
  if (ttft) {
    for (const [name, added] of [
      ['graphql-ws, inline image', ttft.wsAddedMs],
      ['SSE, inline image', ttft.sseAddedMs],
      ['graphql-ws, uploaded image', ttft.wsUploadAddedMs],
    ] as const) {
      checks.push({
        target: `added TTFT (${name}) ≤ 2 ms p50, ≤ 10 ms p99`,
        measured: `${ms(added.p50)} ms p50, ${ms(added.p99)} ms p99`,
        met: added.p50 <= 2 && added.p99 <= 10,
      });
    }
  }
  if (throughput) {
    for (const [name, vsDirect, vsRelay] of [
      ['graphql-ws', throughput.wsVsDirect, throughput.wsVsRelay],
      ['SSE', throughput.sseVsDirect, throughput.sseVsRelay],
    ] as const) {
      checks.push({
        target: `single-stream relay (${name}, Anthropic Messages) at least the direct SDK loop's, ahead of plain chunked-HTTP relay`,
        measured: `${pct(vsDirect)} of direct, ${vsRelay.toFixed(2)}× the plain relay`,
        met: vsDirect >= 1 && vsRelay > 1,
      });
    }
  }
  const { converse } = results;
  if (converse?.ttft) {
    const added = converse.ttft.wsAddedMs;
    checks.push({
      target: 'added TTFT (Converse, graphql-ws, inline image) ≤ 2 ms p50',
      measured: `${ms(added.p50)} ms p50, ${ms(added.p99)} ms p99`,
      met: added.p50 <= 2,
    });
  }
  if (converse?.throughput) {
    checks.push({
      target: "single-stream relay (Converse, graphql-ws) at least the direct SDK ConverseStream loop's",
      measured: `${pct(converse.throughput.wsVsDirect)} of direct`,
      met: converse.throughput.wsVsDirect >= 1,
    });
  }
  for (const run of (concurrency ?? []).filter((r) => r.streams >= 2000)) {
    checks.push({
      target: `${int(run.streams)} streams × 20 deltas/s (${run.transport}): zero loss, lag p99 ≤ 100 ms`,
      measured: `${run.failures} lost, p99 ${ms(run.lagMs.p99)} ms`,
      met: run.failures === 0 && run.lagMs.p99 <= 100,
    });
  }
  if (idle) {
    checks.push({
      target: 'idle WebSocket ≤ 20 KB RSS each',
      measured: `${kb(idle.rssPerConnection)} (${int(idle.opened)} connections)`,
      met: idle.rssPerConnection <= 20 * 1024 && idle.opened === idle.connections,
    });
  }
  const jpeg = images?.find((image) => image.format === 'jpeg'); // the test fixture, listed first
  if (jpeg) checks.push({ target: '12-MP JPEG normalised ≤ 150 ms p50', measured: `${ms(jpeg.p50Ms)} ms`, met: jpeg.p50Ms <= 150 });
  for (const run of results.memory ?? []) {
    checks.push({
      target: `gateway peak RSS ≤ 1 GB, every image accepted: ${run.load}`,
      measured: `${mb(run.peakRss)}, ${run.accepted}/${run.images} accepted`,
      met: run.peakRss <= 1e9 && run.accepted === run.images,
    });
  }
  return checks;
}

/** The results as Markdown: printed, saved next to the JSON, and pasted into the README. */
export function renderMarkdown(results: BenchResults): string {
  const { machine, ttft, throughput, converse, concurrency, idle, images, replicas, targets } = results;
  const out: string[] = [];
  out.push(
    `Measured ${machine.date} on ${machine.cpuModel}, ${machine.cores} cores (nproc), ${machine.memoryGb} GB RAM, ` +
      `Node ${machine.node}, ${machine.os}; commit ${machine.commit}; \`${machine.command}\`` +
      `${results.quick ? ' (quick run: fewer samples)' : ''}${results.durationSeconds ? `, ${Math.round(results.durationSeconds)} s in all` : ''}.`,
    '',
    'Three processes share those cores: the gateway (`createServer`, local mode, its SDK client pointed at the upstream ' +
      'process), the upstream (`bench/processes/upstream.ts`: the project\'s LocalBedrock for time to first token, a replay ' +
      'of the same event-stream frames for throughput and concurrency) and the load generator (the clients, and the direct ' +
      'SDK baseline). The load generator runs on the same machine.',
  );
  if (ttft) {
    out.push(
      '',
      `**1. Time to first token** (${ttft.iterations} rounds, each: the four paths below in rotating order; ${ttft.failures} failures; ` +
        'the image is a 64×48 PNG, inline as base64 unless uploaded beforehand)',
      '',
      table(
        ['path', 'p50 ms', 'p99 ms'],
        [
          ['direct SDK call → first delta (the floor)', ms(ttft.directMs.p50), ms(ttft.directMs.p99)],
          ['gateway, graphql-ws: subscribe → first chunk', ms(ttft.wsMs.p50), ms(ttft.wsMs.p99)],
          ['gateway, SSE: POST → first chunk', ms(ttft.sseMs.p50), ms(ttft.sseMs.p99)],
          ['gateway, graphql-ws, image uploaded beforehand (uploadId)', ms(ttft.wsUploadMs.p50), ms(ttft.wsUploadMs.p99)],
          ['**added by the gateway, graphql-ws** (per-round difference)', ms(ttft.wsAddedMs.p50), ms(ttft.wsAddedMs.p99)],
          ['**added by the gateway, SSE** (per-round difference)', ms(ttft.sseAddedMs.p50), ms(ttft.sseAddedMs.p99)],
          ['added by the gateway, graphql-ws with uploadId (per-round difference)', ms(ttft.wsUploadAddedMs.p50), ms(ttft.wsUploadAddedMs.p99)],
        ],
      ),
    );
  }
  if (throughput) {
    const { paths } = throughput;
    const direct = paths.direct.deltasPerSecond;
    out.push(
      '',
      `**2. Relay throughput** (one stream of ${int(throughput.deltas)} deltas, no pacing; median of ${throughput.repetitions}; ${throughput.failures} failures)`,
      '',
      table(
        ['path', 'deltas/s', 'vs direct', 'messages to client', 'gateway CPU µs/delta'],
        [
          ['direct SDK loop', int(direct), '100%', int(paths.direct.chunks), '–'],
          ['plain chunked-HTTP relay (SDK → res.write per delta)', int(paths.relay.deltasPerSecond), pct(throughput.relayVsDirect), `${int(paths.relay.chunks)} reads`, ms(paths.relay.gatewayCpuUsPerDelta)],
          ['gateway, graphql-ws', int(paths.ws.deltasPerSecond), pct(throughput.wsVsDirect), int(paths.ws.chunks), ms(paths.ws.gatewayCpuUsPerDelta)],
          ['gateway, SSE', int(paths.sse.deltasPerSecond), pct(throughput.sseVsDirect), int(paths.sse.chunks), ms(paths.sse.gatewayCpuUsPerDelta)],
        ],
      ),
      '',
      `Gateway ÷ plain relay: graphql-ws ${throughput.wsVsRelay.toFixed(2)}×, SSE ${throughput.sseVsRelay.toFixed(2)}×.`,
    );
  }
  if (converse?.ttft || converse?.throughput) {
    const rows: (string | number)[][] = [];
    if (converse.ttft) {
      const t = converse.ttft;
      rows.push(
        ['time to first token, direct SDK ConverseStream (the floor)', `${ms(t.directMs.p50)} ms`, `${ms(t.directMs.p99)} ms`],
        ['time to first token, gateway graphql-ws', `${ms(t.wsMs.p50)} ms`, `${ms(t.wsMs.p99)} ms`],
        ['**added by the gateway** (per-round difference)', `${ms(t.wsAddedMs.p50)} ms`, `${ms(t.wsAddedMs.p99)} ms`],
      );
    }
    if (converse.throughput) {
      const t = converse.throughput;
      rows.push(
        [`relay throughput, direct SDK ConverseStream loop (${int(t.deltas)} deltas)`, `${int(t.directPerSecond)} deltas/s`, '100%'],
        ['relay throughput, gateway graphql-ws', `${int(t.wsPerSecond)} deltas/s`, pct(t.wsVsDirect)],
      );
    }
    const failures = (converse.ttft?.failures ?? 0) + (converse.throughput?.failures ?? 0);
    out.push(
      '',
      `**2b. The Converse path** (the local model through Converse, \`LOCAL_MODEL_API=converse\`; the same upstreams speaking ConverseStream; ${failures} failures)`,
      '',
      table(['measure', 'p50 / median', 'p99 / vs direct'], rows),
    );
  }
  if (concurrency?.length) {
    const first = concurrency[0]!;
    out.push(
      '',
      `**3. Concurrent streams** (one connection per stream, the image uploaded once and sent as uploadId; all subscriptions set up first, then each fed ${first.deltasPerStream} deltas ` +
        `at ${first.deltasPerSecondPerStream}/s, the streams' starts spread over one pace period; lag = client receive − upstream write, per delta)`,
      '',
      table(
        ['transport', 'streams', 'lost', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'messages/stream', 'gateway loop busy', 'gateway CPU', 'µs/delta', 'upstream CPU', 'load gen CPU', 'RSS/subscription', 'set-up'],
        concurrency.map((run) => [
          run.transport === 'ws' ? 'graphql-ws' : 'SSE',
          int(run.streams),
          run.failures,
          ms(run.lagMs.p50),
          ms(run.lagMs.p99),
          ms(run.lagMs.max),
          int(run.chunksPerStream),
          pct(run.gatewayLoopBusy),
          `${run.gatewayCpuPercent.toFixed(0)}%`,
          ms(run.gatewayCpuUsPerDelta),
          `${run.upstreamCpuPercent.toFixed(0)}%`,
          `${run.loadGeneratorCpuPercent.toFixed(0)}%`,
          kb(run.rssPerSubscription),
          `${run.setupSeconds.toFixed(1)} s, ${ms(run.setupCpuMsPerSubscription)} ms CPU each`,
        ]),
      ),
      '',
      'Streaming phase only: loop busy is the share of it the gateway\'s JavaScript thread was working (event-loop utilisation); ' +
        'CPU is % of one core, all threads of the process; µs/delta is gateway CPU ÷ deltas over the phase, which also holds each stream\'s end. RSS/subscription is measured mid-stream ' +
        'and includes the connection. Set-up: time to open every subscription\'s upstream call, and gateway CPU per subscription meanwhile.',
    );
    const failed = concurrency.filter((run) => run.failures > 0);
    for (const run of failed) {
      out.push(`- lost, ${run.transport} × ${int(run.streams)}: ${Object.entries(run.failureKinds).map(([kind, n]) => `${n} ${kind}`).join('; ')}`);
    }
  }
  if (idle) {
    out.push(
      '',
      `**4. Idle WebSockets** (connection_init acknowledged, no subscription; RSS after a full GC)`,
      '',
      table(
        ['connections', 'opened in', 'gateway RSS before → after', 'RSS per connection', 'JS heap per connection'],
        [[int(idle.opened), `${(idle.openMs / 1000).toFixed(1)} s`, `${mb(idle.rssBefore)} → ${mb(idle.rssAfter)}`, kb(idle.rssPerConnection), kb(idle.heapPerConnection)]],
      ),
    );
  }
  if (images?.length) {
    out.push(
      '',
      '**5. Image normalisation** (`normaliseImage` with the default model\'s limits, libvips cache off)',
      '',
      table(
        ['input', 'bytes in', 'out', 'bytes out', 'p50 ms', 'image tokens before → after'],
        images.map((image) => [
          image.name,
          mb(image.bytesIn),
          `${image.widthOut}×${image.heightOut} ${image.formatOut.toUpperCase()}`,
          mb(image.bytesOut),
          ms(image.p50Ms),
          `${int(image.tokensBefore)} → ${int(image.tokensAfter)}`,
        ]),
      ),
    );
  }
  if (replicas?.length) {
    const first = replicas[0]!;
    out.push(
      '',
      `**6. Replicas behind nginx** (SSE through nginx to 1 or 2 gateway processes sharing one redis-server; an API key, so every stream takes a ` +
        `Redis concurrency lease and a rate point and reads the uploaded image from Redis; ${first.deltasPerStream} deltas at ${first.deltasPerSecondPerStream}/s per stream)`,
      '',
      table(
        ['replicas', 'streams', 'lost', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'gateways CPU', 'nginx CPU', 'redis CPU', 'upstream CPU', 'load gen CPU', 'set-up'],
        replicas.map((run) => [
          run.replicas,
          int(run.streams),
          run.failures,
          ms(run.lagMs.p50),
          ms(run.lagMs.p99),
          ms(run.lagMs.max),
          `${run.gatewaysCpuPercent.toFixed(0)}%`,
          `${run.nginxCpuPercent.toFixed(0)}%`,
          `${run.redisCpuPercent.toFixed(0)}%`,
          `${run.upstreamCpuPercent.toFixed(0)}%`,
          `${run.loadGeneratorCpuPercent.toFixed(0)}%`,
          `${run.setupSeconds.toFixed(1)} s, ${ms(run.setupCpuMsPerSubscription)} ms gateway CPU each`,
        ]),
      ),
      '',
      `Every process here (gateways, nginx, redis-server, upstream, load generator) shares this machine's ${machine.cores} cores, ` +
        'so a second replica adds no CPU: these rows show what the shared store and the proxy cost, not how replicas scale. ' +
        'CPU is % of one core over the streaming phase.',
    );
    for (const run of replicas.filter((r) => r.failures > 0)) {
      out.push(`- lost, ${run.replicas} replica(s): ${Object.entries(run.failureKinds).map(([kind, n]) => `${n} ${kind}`).join('; ')}`);
    }
  }
  if (results.memory?.length) {
    out.push(
      '',
      '**7. Gateway memory under big-image loads** (a fresh gateway per load; peak = VmHWM of its process)',
      '',
      table(
        ['load', 'sent', 'accepted', 'RSS at start', 'peak RSS', 'took'],
        results.memory.map((run) => [
          run.load,
          mb(run.inputBytes),
          `${run.accepted}/${run.images}${run.errors.length ? ` (${[...new Set(run.errors)].join(', ')})` : ''}`,
          mb(run.rssBefore),
          `**${mb(run.peakRss)}**`,
          `${(run.durationMs / 1000).toFixed(1)} s`,
        ]),
      ),
    );
  }
  if (targets?.length) {
    out.push('', '**Targets**', '', table(['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**'])));
  }
  return out.join('\n');
}
