import http from 'node:http';
import type { Gateway, Harness } from '../lib/harness.js';
import { SUBSCRIPTION } from '../lib/harness.js';
import { monotonicMs } from '../lib/clock.js';
import { directStream } from '../lib/direct.js';
import { deltasFor } from '../lib/deltas.js';
import { GqlWsConnection } from '../lib/gql-ws.js';
import { summarise, type Summary } from '../lib/stats.js';
import { runSubscription } from '../lib/subscription.js';

export interface TtftResult {
  iterations: number;
  deltasPerStream: number;
  directMs: Summary;
  wsMs: Summary;
  sseMs: Summary;
  /** graphql-ws with an image uploaded beforehand (uploadId): no image work on the way. */
  wsUploadMs: Summary;
  /** Per iteration: graphql-ws time minus the direct time measured next to it. */
  wsAddedMs: Summary;
  sseAddedMs: Summary;
  wsUploadAddedMs: Summary;
  failures: number;
}

/**
 * Scenario 1: time to first token, through the gateway and direct, taken in
 * turn (rotating which goes first) so both see the same machine state.
 * graphql-ws: the socket is open and acknowledged; the clock starts when the
 * subscribe message is sent. SSE: a kept-alive connection; the clock starts
 * when the POST is written. Direct: from client.send() to the first delta.
 * The image goes inline (base64), so the gateway checks it with sharp on the
 * way; a fourth path subscribes with an uploadId instead, whose image was
 * checked at upload, to show what the relay itself adds.
 */
export async function ttftScenario(harness: Harness, gateway: Gateway): Promise<TtftResult> {
  const warmup = 30;
  const iterations = harness.quick ? 100 : 400;
  const deltas = 5;
  const connection = await GqlWsConnection.open(gateway.wsUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const direct: number[] = [];
  const ws: number[] = [];
  const sse: number[] = [];
  const wsUpload: number[] = [];
  const wsAdded: number[] = [];
  const sseAdded: number[] = [];
  const wsUploadAdded: number[] = [];
  const uploadId = await harness.upload(gateway);
  let failures = 0;

  const deadline = monotonicMs() + 180_000;
  for (let i = 0; i < warmup + iterations; i++) {
    if (monotonicMs() > deadline) throw new Error(`time to first token: ${i} rounds took over 180 s`);
    const stream = 1_000_000 + i;
    const spec = { stream, deltas, paceMs: 0 };
    const expected = deltasFor(stream, deltas).join('');
    const times: Record<'direct' | 'ws' | 'sse' | 'wsUpload', number> = { direct: NaN, ws: NaN, sse: NaN, wsUpload: NaN };
    const runs = {
      direct: async () => {
        const result = await directStream(harness.direct[gateway.upstream], harness.body(spec));
        if (result.text !== expected) failures++;
        times.direct = result.firstAt - result.sentAt;
      },
      ws: async () => {
        const result = await runSubscription({ kind: 'ws', connection }, SUBSCRIPTION, harness.variables(spec));
        if (result.failure || result.text !== expected) failures++;
        times.ws = result.firstAt - result.sentAt;
      },
      sse: async () => {
        const result = await runSubscription({ kind: 'sse', url: gateway.graphqlUrl, agent }, SUBSCRIPTION, harness.variables(spec));
        if (result.failure || result.text !== expected) failures++;
        times.sse = result.firstAt - result.sentAt;
      },
      wsUpload: async () => {
        const result = await runSubscription({ kind: 'ws', connection }, SUBSCRIPTION, harness.variables(spec, uploadId));
        if (result.failure || result.text !== expected) failures++;
        times.wsUpload = result.firstAt - result.sentAt;
      },
    };
    const order = (['direct', 'ws', 'sse', 'wsUpload'] as const).map((_, k, all) => all[(k + i) % all.length]!);
    for (const name of order) await runs[name]();
    if (i < warmup) continue;
    direct.push(times.direct);
    ws.push(times.ws);
    sse.push(times.sse);
    wsUpload.push(times.wsUpload);
    wsAdded.push(times.ws - times.direct);
    sseAdded.push(times.sse - times.direct);
    wsUploadAdded.push(times.wsUpload - times.direct);
  }
  connection.close();
  agent.destroy();
  return {
    iterations,
    deltasPerStream: deltas,
    directMs: summarise(direct),
    wsMs: summarise(ws),
    sseMs: summarise(sse),
    wsUploadMs: summarise(wsUpload),
    wsAddedMs: summarise(wsAdded),
    sseAddedMs: summarise(sseAdded),
    wsUploadAddedMs: summarise(wsUploadAdded),
    failures,
  };
}
