import { readFileSync } from 'node:fs';
import { progressiveJpeg } from '../../test/helpers/hostile-images.js';
import type { Gateway, Harness } from '../lib/harness.js';
import { monotonicMs } from '../lib/clock.js';

export interface MemoryResult {
  load: string;
  images: number;
  /** Images the gateway accepted (prepared without an error). */
  accepted: number;
  /** Error codes of the images (or requests) it did not accept. */
  errors: string[];
  /** Gateway RSS once started, and its peak (VmHWM) after the load, in bytes. */
  rssBefore: number;
  peakRss: number;
  durationMs: number;
  inputBytes: number;
}

const MUTATION = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id images { width height } } }';

/** The peak resident set of a process since it started (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

function currentRss(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

type GraphQLReply = { data?: Record<string, { images?: unknown[] } | null>; errors?: { extensions?: { code?: string } }[] };

async function post(gateway: Gateway, body: BodyInit, headers: Record<string, string>): Promise<GraphQLReply> {
  const response = await fetch(gateway.graphqlUrl, { method: 'POST', body, headers });
  return (await response.json()) as GraphQLReply;
}

const codes = (reply: GraphQLReply) => (reply.errors ?? []).map((error) => error.extensions?.code ?? 'UNKNOWN');

/** One describeImage mutation carrying `count` copies of the JPEG, inline as base64. */
async function manyInOneMutation(gateway: Gateway, jpeg: Buffer, count: number) {
  const base64 = jpeg.toString('base64');
  const body = JSON.stringify({ query: MUTATION, variables: { input: { images: Array.from({ length: count }, () => ({ base64 })) } } });
  const reply = await post(gateway, body, { 'content-type': 'application/json' });
  const errors = codes(reply);
  return { accepted: errors.length ? 0 : (reply.data?.describeImage?.images?.length ?? 0), errors, inputBytes: body.length };
}

/** `count` uploadImage mutations (GraphQL multipart) of the JPEG at once. */
async function concurrentUploads(gateway: Gateway, jpeg: Buffer, count: number) {
  const replies = await Promise.all(
    Array.from({ length: count }, () => {
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: 'mutation ($f: File!) { uploadImage(file: $f) { id } }', variables: { f: null } }));
      form.set('map', JSON.stringify({ 0: ['variables.f'] }));
      form.set('0', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'big.jpg');
      return post(gateway, form, { 'x-graphql-yoga-csrf': 'bench' });
    }),
  );
  const errors = replies.flatMap(codes);
  return { accepted: replies.filter((reply) => reply.data?.uploadImage).length, errors, inputBytes: jpeg.length * count };
}

/**
 * Scenario 6 (issue 9, defect 2): the gateway's peak memory under image
 * loads that took it from ~150 MB to 3.3 GB before decodes were queued:
 * one mutation with 20 progressive 8000×8000 JPEGs, and 16 concurrent
 * uploads of one. Each load runs in a fresh gateway process, so its peak
 * (VmHWM) is that load's alone. The decode queue's settings come from the
 * gateway's environment (`--gateway-env=IMAGE_DECODE_CONCURRENCY=...`).
 */
export async function memoryScenario(harness: Harness): Promise<MemoryResult[]> {
  // One smooth progressive JPEG (~0.8 MB, 64 MP), sent many times: the gateway decodes each copy anew.
  const jpeg = await progressiveJpeg(8000, 8000);
  const loads = [
    { load: 'one describeImage mutation, 20 progressive 8000×8000 JPEGs inline', images: 20, run: (g: Gateway) => manyInOneMutation(g, jpeg, 20) },
    { load: '16 concurrent uploadImage of one progressive 8000×8000 JPEG', images: 16, run: (g: Gateway) => concurrentUploads(g, jpeg, 16) },
  ];
  const results: MemoryResult[] = [];
  for (const { load, images, run } of loads) {
    results.push(
      await harness.withGateway(`memory-${images}`, 'local', async (gateway) => {
        const rssBefore = currentRss(gateway.child.pid);
        const started = monotonicMs();
        const outcome = await run(gateway);
        const durationMs = monotonicMs() - started;
        return { load, images, ...outcome, rssBefore, peakRss: peakRss(gateway.child.pid), durationMs };
      }),
    );
  }
  return results;
}
