/**
 * The upstream of every benchmark, in a process of its own so its CPU is not
 * charged to the gateway and it is never queued behind it. Two endpoints,
 * both speaking Bedrock's wire protocol (AWS event-stream frames from
 * api/local/event-stream.ts, over HTTP/1.1 like the project's Bedrock client
 * in the gateway and the direct baseline); each request's prompt says which
 * text to stream and at what pace (bench/lib/deltas.ts):
 *
 * - `localUrl`: the project's LocalBedrock, scripted per request. Used for
 *   time to first token.
 * - `replayUrl`: the same frames (InvokeModelWithResponseStream's, or
 *   ConverseStream's for a /converse-stream request), encoded when the
 *   request arrives and then only written out, on an absolute schedule. LocalBedrock encodes every
 *   frame as it sends it and paces with one sleep per delta; on the 2-core
 *   machine it tops out near 8,000 deltas/s (measured with a bare SDK client
 *   at 2,000 streams × 20 deltas/s), far below what the throughput and
 *   concurrency scenarios ask. So those use this replay, which keeps the
 *   upstream from being the bottleneck.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeChunkEvent, encodeConverseEvent } from '../../api/local/event-stream.js';
import { startLocalBedrock } from '../../api/local/endpoint.js';
import { serveParent } from '../lib/children.js';
import { monotonicMs } from '../lib/clock.js';
import { deltasFor, specFromBody, type StreamSpec } from '../lib/deltas.js';

const INPUT_TOKENS = 100;

const local = await startLocalBedrock({ paceMs: 0 });
// LocalBedrock reads a request body with `for await`, which rejects when the
// client goes away mid-body, and nothing catches it. Keep serving.
process.on('unhandledRejection', (error) => {
  if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
});
// 'request' is emitted synchronously before the endpoint takes the next
// scripted reply, so scripting here answers exactly this request.
local.on('request', (request) => {
  local.requests.length = 0; // nothing reads them here; keep memory flat
  const spec = specFromBody(request.body);
  if (!spec) return;
  local.script({
    kind: 'text',
    deltas: deltasFor(spec.stream, spec.deltas),
    paceMs: spec.paceMs,
    usage: { inputTokens: INPUT_TOKENS, outputTokens: spec.deltas },
  });
});

/** When each delta of a timed stream was written, by stream number. */
const sentAt = new Map<number, Float64Array>();
/** Streams waiting for the parent's `release`, in arrival order. */
const held = new Map<number, () => void>();

/** Every frame of one answer, as LocalBedrock would send them. */
function framesFor(spec: StreamSpec, requestId: string) {
  const head = [
    encodeChunkEvent({
      type: 'message_start',
      message: { id: `msg_${requestId}`, type: 'message', role: 'assistant', content: [], stop_reason: null, usage: { input_tokens: INPUT_TOKENS, output_tokens: 1 } },
    }),
    encodeChunkEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ];
  const deltas = deltasFor(spec.stream, spec.deltas).map((text) =>
    encodeChunkEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
  );
  const tail = [
    encodeChunkEvent({ type: 'content_block_stop', index: 0 }),
    encodeChunkEvent({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: spec.deltas } }),
    encodeChunkEvent({
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': { inputTokenCount: INPUT_TOKENS, outputTokenCount: spec.deltas, invocationLatency: 0, firstByteLatency: 0 },
    }),
  ];
  return { head: Buffer.concat(head), deltas, tail: Buffer.concat(tail) };
}

/** Every frame of one ConverseStream answer, as LocalBedrock would send them. */
function converseFramesFor(spec: StreamSpec) {
  const head = [encodeConverseEvent('messageStart', { role: 'assistant' }), encodeConverseEvent('contentBlockStart', { contentBlockIndex: 0, start: { text: '' } })];
  const deltas = deltasFor(spec.stream, spec.deltas).map((text) => encodeConverseEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
  const tail = [
    encodeConverseEvent('contentBlockStop', { contentBlockIndex: 0 }),
    encodeConverseEvent('messageStop', { stopReason: 'end_turn' }),
    encodeConverseEvent('metadata', {
      usage: { inputTokens: INPUT_TOKENS, outputTokens: spec.deltas, totalTokens: INPUT_TOKENS + spec.deltas },
      metrics: { latencyMs: 0 },
    }),
  ];
  return { head: Buffer.concat(head), deltas, tail: Buffer.concat(tail) };
}

let nextRequestId = 0;

async function replay(stream: http.ServerResponse, spec: StreamSpec, converse: boolean) {
  const requestId = `bench-${nextRequestId++}`;
  const { head, deltas, tail } = converse ? converseFramesFor(spec) : framesFor(spec, requestId);
  stream.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-bedrock-content-type': 'application/json',
    'x-amzn-requestid': requestId,
  });
  stream.write(head);
  // A held stream has answered (headers, message_start) and waits for release
  // before its first delta, like a model still thinking.
  if (spec.held) await new Promise<void>((resolve) => held.set(spec.stream, resolve));
  if (stream.destroyed) return;
  const times = spec.timed ? new Float64Array(deltas.length).fill(NaN) : undefined;
  if (times) sentAt.set(spec.stream, times);
  if (spec.paceMs === 0) {
    // As fast as the connection takes them, a batch of frames per write.
    for (let k = 0; k < deltas.length && !stream.destroyed; k += 256) {
      const ok = stream.write(Buffer.concat(deltas.slice(k, k + 256)));
      // 'close' too: a response whose gateway went away never drains.
      if (!ok) await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch(() => {});
    }
  } else {
    // Delta k is due at start + (k + 1) × pace: an absolute schedule, so a late timer does not push the rest back.
    const start = monotonicMs();
    for (let k = 0; k < deltas.length; k++) {
      const wait = start + (k + 1) * spec.paceMs - monotonicMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stream.destroyed) return;
      stream.write(deltas[k]);
      if (times) times[k] = monotonicMs();
    }
  }
  if (!stream.destroyed) stream.end(tail);
}

const replayServer = http.createServer({ noDelay: true }, (req, res) => {
  res.on('error', () => {}); // a gateway going away mid-stream is expected
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    let spec: StreamSpec | undefined;
    try {
      spec = specFromBody(JSON.parse(Buffer.concat(parts).toString('utf8')));
    } catch {
      // not a benchmark request
    }
    const converse = String(req.url).endsWith('/converse-stream');
    if (!spec || !(converse || String(req.url).endsWith('/invoke-with-response-stream'))) {
      res.writeHead(400, { 'x-amzn-errortype': 'ValidationException', 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'The replay endpoint serves benchmark streams only.' }));
      return;
    }
    void replay(res, spec, converse);
  });
});
replayServer.listen(0, '127.0.0.1');
await once(replayServer, 'listening');

serveParent(
  {
    sentTimes: (streams: number[]) => streams.map((stream) => sentAt.get(stream) ?? null),
    clear: () => {
      sentAt.clear();
      held.clear();
    },
    held: () => held.size,
    /**
     * Starts the held streams, spread evenly over `spreadMs` (one pace
     * period: their deltas then arrive at an even rate, not in lockstep).
     */
    release: ({ spreadMs }: { spreadMs: number }) => {
      const streams = [...held.values()];
      held.clear();
      streams.forEach((start, i) => setTimeout(start, (i * spreadMs) / streams.length));
      return streams.length;
    },
    gc: () => globalThis.gc?.(),
    elu: () => performance.eventLoopUtilization(),
    exit: async () => {
      replayServer.close();
      await local.stop();
      setImmediate(() => process.exit(0));
    },
  },
  { localUrl: local.url, replayUrl: `http://127.0.0.1:${(replayServer.address() as AddressInfo).port}` },
);
