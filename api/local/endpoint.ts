import { EventEmitter, once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_MODEL_ID } from '../bedrock/models.js';
import { LocalControlPlane } from './control-plane.js';
import { COUNT_TOKENS_ROUTE, serveCountTokens } from './count-tokens.js';
import { encodeChunkEvent, encodeExceptionEvent, encodeRawChunk } from './event-stream.js';
import { inspectMessagesBody, splitIntoDeltas, type MessagesBody } from './image-inspector.js';

/** A reply the next request gets instead of the local model's own. */
export type ScriptedReply =
  | { kind: 'text'; deltas: string[]; stopReason?: string; usage?: { inputTokens: number; outputTokens: number }; paceMs?: number }
  /** An HTTP error before any stream, as Bedrock sends it (x-amzn-errortype + JSON message). */
  | { kind: 'http-error'; status: number; errorType: string; message: string }
  /** Some deltas, then an exception event inside the stream. */
  | { kind: 'stream-error'; deltas: string[]; exceptionType: string; message: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** A reply that is not valid JSON (a chunk, or the invoke body): a fault the gateway cannot explain. */
  | { kind: 'malformed-chunk'; payload?: string };

export type RequestOutcome = 'open' | 'completed' | 'aborted' | 'failed';

export interface ReceivedRequest {
  id: string;
  modelId: string;
  operation: 'invoke' | 'invoke-with-response-stream';
  httpVersion: string;
  /** The client's port: requests on one kept-alive connection share it. */
  clientPort: number | undefined;
  /** Request headers, e.g. to check the SDK's SigV4 signature scope. */
  headers: Record<string, string | string[] | undefined>;
  body: MessagesBody;
  outcome: RequestOutcome;
  /** Resolves when the exchange ends: completed by us, or aborted by the client. */
  settled: Promise<RequestOutcome>;
}

export interface LocalBedrockOptions {
  /** Pause between deltas of the local model, in ms. @default 0 */
  paceMs?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** How long an idle HTTP/1.1 connection is kept open; announced in each reply's Keep-Alive header. @default 5000 */
  keepAliveTimeoutMs?: number;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

const ROUTE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;
const ERROR_NAMESPACE = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

/**
 * A Bedrock Runtime-compatible endpoint on loopback: the offline default model
 * and the tests' upstream. It speaks HTTP/1.1 (what the gateway's client
 * uses) and cleartext HTTP/2 (h2c, the default of a BedrockRuntimeClient
 * built without our request handler) on one port, and it frames streams with
 * AWS event-stream exactly as Bedrock does.
 */
export class LocalBedrock extends EventEmitter<{ request: [ReceivedRequest] }> {
  readonly requests: ReceivedRequest[] = [];
  /** The control-plane calls (ListFoundationModels, ListInferenceProfiles) served on the same port. */
  readonly controlPlane = new LocalControlPlane();
  paceMs: number;
  private readonly scripted: ScriptedReply[] = [];
  private readonly settlers = new WeakMap<ReceivedRequest, (outcome: RequestOutcome) => void>();
  private readonly sockets = new Set<Socket>();
  private readonly h1: http.Server;
  private readonly h2 = http2.createServer((req, res) => this.serve(req, res));
  private readonly tcp: net.Server;
  private address?: AddressInfo;

  constructor(private readonly options: LocalBedrockOptions = {}) {
    super();
    this.paceMs = options.paceMs ?? 0;
    this.h1 = http.createServer({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000 }, (req, res) => this.serve(req, res));
    // Both protocols on one port: an HTTP/2 client opens with "PRI * HTTP/2.0".
    // noDelay: each event-stream frame is small and must leave at once (Nagle
    // plus delayed ACKs would hold frames back ~40 ms).
    this.tcp = net.createServer({ noDelay: true }, (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.once('data', (first) => {
        // Hand the native socket over with the peeked bytes put back: Node's
        // HTTP/2 session takes what is already buffered before reading its
        // handle (an h2c test in local-endpoint.test.ts holds it to that), and
        // HTTP/1.1 reads them like any data.
        socket.pause();
        socket.unshift(first);
        const server = first.subarray(0, 3).toString('latin1') === 'PRI' ? this.h2 : this.h1;
        server.emit('connection', socket);
        if (server === this.h1) socket.resume();
      });
    });
  }

  get url(): string {
    if (!this.address) throw new Error('LocalBedrock is not started');
    return `http://${this.address.address}:${this.address.port}`;
  }

  /** Connections open right now, of either protocol. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Queues replies for the next requests, in order; unscripted requests get the local model. */
  script(...replies: ScriptedReply[]): void {
    this.scripted.push(...replies);
  }

  /** Resolves with the next request received (or the n-th from now). */
  async nextRequest(): Promise<ReceivedRequest> {
    const [request] = await once(this, 'request');
    return request as ReceivedRequest;
  }

  async start(): Promise<this> {
    this.tcp.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    await once(this.tcp, 'listening');
    this.address = this.tcp.address() as AddressInfo;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  /**
   * A client that drops mid-request makes the body read (or a late write)
   * reject. Its connection or stream is already gone, so there is nothing to
   * answer: the rejection ends this exchange only. (Destroying an HTTP/2
   * stream here again would race the session's own teardown.)
   */
  private serve(req: AnyRequest, res: AnyResponse): void {
    this.handle(req, res).catch(() => {});
  }

  private async handle(req: AnyRequest, res: AnyResponse): Promise<void> {
    if (this.controlPlane.handles(req)) return this.controlPlane.serve(req, res);
    if (req.method === 'POST' && COUNT_TOKENS_ROUTE.test((req.url ?? '').split('?')[0] ?? '')) return serveCountTokens(req, res);
    const match = ROUTE.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'POST' || !match) {
      return this.sendError(res, undefined, 404, 'UnknownOperationException', `No such operation: ${req.method} ${req.url}`);
    }
    let settle!: (outcome: RequestOutcome) => void;
    const received: ReceivedRequest = {
      id: randomUUID(),
      modelId: decodeURIComponent(match[1]!),
      operation: match[2] as ReceivedRequest['operation'],
      httpVersion: req.httpVersion,
      clientPort: req.socket.remotePort,
      headers: { ...req.headers },
      body: {},
      outcome: 'open',
      settled: new Promise((resolve) => (settle = resolve)),
    };
    this.settlers.set(received, (outcome) => {
      if (received.outcome !== 'open') return;
      received.outcome = outcome;
      settle(outcome);
    });
    // Any close we did not end ourselves is the client going away.
    res.once('close', () => this.settle(received, 'aborted'));

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      received.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesBody;
    } catch {
      this.record(received);
      return this.sendError(res, received, 400, 'ValidationException', 'Malformed input request: body is not JSON.');
    }
    this.record(received);

    const reply = this.scripted.shift() ?? (await this.localModelReply(received));
    if (reply.kind === 'hang') return;
    if (reply.kind === 'malformed-chunk') return this.sendMalformed(res, received, reply.payload);
    if (reply.kind === 'http-error') return this.sendError(res, received, reply.status, reply.errorType, reply.message);
    if (received.operation === 'invoke') {
      if (reply.kind === 'stream-error') return this.sendError(res, received, 500, 'InternalServerException', reply.message);
      return this.sendMessage(res, reply, received);
    }
    await this.sendStream(res, reply, received);
  }

  private settle(received: ReceivedRequest, outcome: RequestOutcome) {
    this.settlers.get(received)?.(outcome);
  }

  private record(received: ReceivedRequest) {
    this.requests.push(received);
    this.emit('request', received);
  }

  private async localModelReply(received: ReceivedRequest): Promise<ScriptedReply> {
    if (received.modelId !== LOCAL_MODEL_ID) {
      return {
        kind: 'http-error',
        status: 400,
        errorType: 'ValidationException',
        message: `This local endpoint serves only ${LOCAL_MODEL_ID}, not ${received.modelId}.`,
      };
    }
    try {
      const { text, inputTokens } = await inspectMessagesBody(received.body);
      let deltas = splitIntoDeltas(text);
      const maxTokens = received.body.max_tokens ?? Infinity;
      const truncated = deltas.length > maxTokens;
      if (truncated) deltas = deltas.slice(0, maxTokens);
      return {
        kind: 'text',
        deltas,
        stopReason: truncated ? 'max_tokens' : 'end_turn',
        usage: { inputTokens, outputTokens: deltas.length },
        paceMs: this.paceMs,
      };
    } catch {
      return { kind: 'http-error', status: 400, errorType: 'ValidationException', message: 'Could not decode an image in the request.' };
    }
  }

  private sendError(res: AnyResponse, received: ReceivedRequest | undefined, status: number, errorType: string, message: string) {
    if (res.headersSent || res.destroyed) return;
    if (received) this.settle(received, 'failed');
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': errorType + ERROR_NAMESPACE,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(JSON.stringify({ message }));
  }

  private sendMessage(res: AnyResponse, reply: Extract<ScriptedReply, { kind: 'text' }>, received: ReceivedRequest) {
    const usage = reply.usage ?? { inputTokens: 0, outputTokens: reply.deltas.length };
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': received.id });
    this.settle(received, 'completed');
    res.end(
      JSON.stringify({
        id: `msg_${received.id}`,
        type: 'message',
        role: 'assistant',
        model: received.modelId,
        content: [{ type: 'text', text: reply.deltas.join('') }],
        stop_reason: reply.stopReason ?? 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      }),
    );
  }

  private sendMalformed(res: AnyResponse, received: ReceivedRequest, payload = '{"type": "content_block_delta", "delta": ') {
    const streaming = received.operation === 'invoke-with-response-stream';
    res.writeHead(200, { 'content-type': streaming ? 'application/vnd.amazon.eventstream' : 'application/json' });
    this.settle(received, 'failed');
    res.end(streaming ? encodeRawChunk(payload) : payload);
  }

  private async sendStream(
    res: AnyResponse,
    reply: Extract<ScriptedReply, { kind: 'text' | 'stream-error' }>,
    received: ReceivedRequest,
  ) {
    const paceMs = reply.kind === 'text' ? (reply.paceMs ?? 0) : 0;
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-bedrock-content-type': 'application/json',
      'x-amzn-requestid': received.id,
    });
    const send = (frame: Uint8Array) => {
      if (received.outcome === 'open') (res as ServerResponse).write(frame);
    };
    const usage = (reply.kind === 'text' && reply.usage) || { inputTokens: 0, outputTokens: reply.deltas.length };
    send(
      encodeChunkEvent({
        type: 'message_start',
        message: {
          id: `msg_${received.id}`,
          type: 'message',
          role: 'assistant',
          model: received.modelId,
          content: [],
          stop_reason: null,
          usage: { input_tokens: usage.inputTokens, output_tokens: 1 },
        },
      }),
    );
    send(encodeChunkEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    for (const text of reply.deltas) {
      if (paceMs > 0) await sleep(paceMs);
      if (received.outcome !== 'open') return;
      send(encodeChunkEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }));
    }
    if (reply.kind === 'stream-error') {
      send(encodeExceptionEvent(reply.exceptionType, reply.message));
      this.settle(received, 'failed');
      res.end();
      return;
    }
    send(encodeChunkEvent({ type: 'content_block_stop', index: 0 }));
    send(
      encodeChunkEvent({
        type: 'message_delta',
        delta: { stop_reason: reply.stopReason ?? 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      }),
    );
    send(
      encodeChunkEvent({
        type: 'message_stop',
        'amazon-bedrock-invocationMetrics': {
          inputTokenCount: usage.inputTokens,
          outputTokenCount: usage.outputTokens,
          invocationLatency: 0,
          firstByteLatency: 0,
        },
      }),
    );
    this.settle(received, 'completed');
    res.end();
  }
}

/** Starts a local endpoint on a free loopback port. */
export async function startLocalBedrock(options: LocalBedrockOptions = {}): Promise<LocalBedrock> {
  return new LocalBedrock(options).start();
}
