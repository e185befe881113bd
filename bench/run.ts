/**
 * `npm run bench`: what the gateway adds between Bedrock and the user, against
 * the floor (a direct SDK call) and the simplest alternative (a plain
 * chunked-HTTP relay). Prints figures; never fails on a slow machine.
 *
 *   npm run bench                      all scenarios (a few minutes)
 *   npm run bench -- --quick           fewer samples, smaller loads
 *   npm run bench -- --only=ttft,throughput,converse,concurrency,idle,images,replicas
 *   npm run bench -- --profile         --cpu-prof for each gateway process (bench-results/profiles/)
 *   npm run bench -- --readme          also write the table into README.md (## Benchmarks)
 *   npm run bench -- --gateway-env=KEY=VALUE,...   extra environment for the gateway's config
 *
 * `npm run bench` compiles api/ and bench/ (bench/tsconfig.build.json) and runs
 * the compiled JavaScript, as `npm start` runs the server; `npx tsx bench/run.ts`
 * runs the sources, every process through tsx.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monotonicMs } from './lib/clock.js';
import { Harness } from './lib/harness.js';
import { checkTargets, renderMarkdown, type BenchResults, type Machine } from './report.js';
import { concurrencyScenario } from './scenarios/concurrency.js';
import { CONVERSE_GATEWAY_ENV, converseThroughputScenario, converseTtftScenario } from './scenarios/converse.js';
import { idleScenario } from './scenarios/idle.js';
import { imagesScenario } from './scenarios/images.js';
import { replicasScenario } from './scenarios/replicas.js';
import { throughputScenario } from './scenarios/throughput.js';
import { ttftScenario } from './scenarios/ttft.js';

const SCENARIOS = ['ttft', 'throughput', 'converse', 'concurrency', 'idle', 'images', 'replicas'] as const;
const RESULTS_DIR = 'bench-results';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    readme: { type: 'boolean', default: false },
    label: { type: 'string' },
    levels: { type: 'string' },
    idle: { type: 'string' },
    'gateway-env': { type: 'string' },
  },
});
const quick = flags.quick!;
const only = new Set(flags.only ? flags.only.split(',') : SCENARIOS);
const levels = (flags.levels ?? '100,1000,2000').split(',').map(Number);
let idleConnections = Number(flags.idle ?? (quick ? 2000 : 10_000));

/** Soft and hard limits on open files, from /proc/self/limits. */
function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.match(/(\d+|unlimited)/g) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

// Each idle WebSocket takes a file descriptor in the gateway and one here.
// Node raises its soft limit to the hard limit at start-up, so the hard limit
// is what counts; only root can raise that (ulimit -Hn), so say so and hold fewer.
const needed = Math.max(idleConnections, ...levels) + 1000;
const limits = openFileLimits();
if (limits.soft < needed && only.has('idle')) {
  idleConnections = Math.max(0, Math.min(idleConnections, limits.soft - 1000));
  console.log(
    `Open-file limit is ${limits.soft} (hard ${limits.hard}): holding ${idleConnections} idle connections. ` +
      `Run \`ulimit -n ${needed}\` (as root for the hard limit) first for the full figure.`,
  );
}

function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'api'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' + uncommitted changes in api/';
  } catch {
    // not a git checkout
  }
  return {
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    commit,
  };
}

const gatewayEnv = Object.fromEntries(
  (flags['gateway-env'] ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=') as [string, string]),
);
const profileDir = flags.profile ? join(RESULTS_DIR, 'profiles') : undefined;
mkdirSync(profileDir ?? RESULTS_DIR, { recursive: true });

const started = monotonicMs();
const results: BenchResults = { machine: machine(), quick };
console.log(`Benchmarking on ${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.machine.node}.`);
console.log('The load generator, the upstream and the gateway are separate processes on this same machine.\n');

const harness = await Harness.start({ quick, profileDir, gatewayEnv });
try {
  if (only.has('ttft')) {
    console.log('1. time to first token…');
    results.ttft = await harness.withGateway('ttft', 'local', (gateway) => ttftScenario(harness, gateway));
  }
  if (only.has('throughput')) {
    console.log('2. relay throughput…');
    results.throughput = await harness.withGateway('throughput', 'replay', (gateway) => throughputScenario(harness, gateway));
  }
  if (only.has('converse')) {
    console.log('2b. the Converse path: time to first token, relay throughput…');
    const env = CONVERSE_GATEWAY_ENV;
    results.converse = {
      ttft: await harness.withGateway('converse-ttft', 'local', (gateway) => converseTtftScenario(harness, gateway), env),
      throughput: await harness.withGateway('converse-throughput', 'replay', (gateway) => converseThroughputScenario(harness, gateway), env),
    };
  }
  if (only.has('concurrency')) {
    results.concurrency = [];
    for (const transport of ['ws', 'sse'] as const) {
      for (const streams of levels) {
        console.log(`3. ${streams} concurrent ${transport} streams…`);
        const label = `${transport}-${streams}`;
        results.concurrency.push(await harness.withGateway(label, 'replay', (gateway) => concurrencyScenario(harness, gateway, transport, streams)));
      }
    }
  }
  if (only.has('idle') && idleConnections > 0) {
    console.log(`4. ${idleConnections} idle WebSockets…`);
    results.idle = await harness.withGateway('idle', 'local', (gateway) => idleScenario(gateway, idleConnections));
  }
  if (only.has('images')) {
    console.log('5. image normalisation…');
    results.images = await imagesScenario(harness);
  }
  if (only.has('replicas')) {
    results.replicas = [];
    const streams = quick ? 200 : 1000;
    for (const replicas of [1, 2]) {
      console.log(`6. ${streams} SSE streams through nginx to ${replicas} replica(s) sharing Redis…`);
      results.replicas.push(await replicasScenario(harness, replicas, streams));
    }
  }
} finally {
  await harness.stop();
}

results.durationSeconds = (monotonicMs() - started) / 1000;
results.targets = checkTargets(results);
const markdown = renderMarkdown(results);
console.log(`\n${markdown}\n`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const name = `bench-${flags.label ? `${flags.label}-` : ''}${stamp}`;
writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(results, null, 2));
writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(results, null, 2));
writeFileSync(join(RESULTS_DIR, 'latest.md'), markdown + '\n');
console.log(`Results: ${join(RESULTS_DIR, `${name}.json`)} (and latest.json, latest.md)`);

if (flags.readme) {
  const readme = readFileSync('README.md', 'utf8');
  const heading = '## Benchmarks';
  const at = readme.indexOf(`\n${heading}\n`);
  const intro = readFileSync('bench/README-section.md', 'utf8').trim();
  const section = `${heading}\n\n${intro}\n\n### Latest results\n\n${markdown}\n`;
  let updated: string;
  if (at < 0) {
    updated = `${readme.trimEnd()}\n\n${section}`;
  } else {
    // Replace our section up to the next top-level heading, if another follows.
    const next = readme.indexOf('\n## ', at + heading.length + 1);
    updated = readme.slice(0, at + 1) + section + (next < 0 ? '' : readme.slice(next));
  }
  writeFileSync('README.md', updated);
  console.log('README.md: ## Benchmarks updated.');
}
process.exit(0);
