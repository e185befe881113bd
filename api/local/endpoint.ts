import { EventEmitter, once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_MODEL_ID } from '../bedrock/models.js';
import { LocalControlPlane } from './control-plane.js';
import type { TokenUsage } from '../bedrock/model-request.js';
import { encodeChunkEvent, encodeConverseEvent, encodeExceptionEvent, encodeRawChunk, encodeRawEvent } from './event-stream.js';
import {
  inspectPrompt,
  partsOfConverseBody,
  partsOfMessagesBody,
  PromptCache,
  splitIntoDeltas,
  type ConverseBody,
  type CountTokensBody,
  type MessagesBody,
  type PromptPart,
} from './image-inspector.js';

/** A reply the next request gets instead of the local model's own. */
export type ScriptedReply =
  | { kind: 'text'; deltas: string[]; stopReason?: string; usage?: TokenUsage; paceMs?: number }
  /** An HTTP error before any stream, as Bedrock sends it (x-amzn-errortype + JSON message). */
  | { kind: 'http-error'; status: number; errorType: string; message: string }
  /** Some deltas, then an exception event inside the stream. */
  | { kind: 'stream-error'; deltas: string[]; exceptionType: string; message: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** A reply that is not valid JSON (a chunk, or the invoke body): a fault the gateway cannot explain. */
  | { kind: 'malformed-chunk'; payload?: string }
  /** Reads the whole request body, then destroys the connection without answering (the model may be running). */
  | { kind: 'drop-after-body' };

export type RequestOutcome = 'open' | 'completed' | 'aborted' | 'failed';

/** The runtime operations served, by their path segment. */
export type RuntimeOperation = ReceivedRequest['operation'];

/** One request as received: the operation tells which parsed body it carries. */
export type ReceivedRequest = ReceivedRequestBase &
  (
    | { operation: 'invoke' | 'invoke-with-response-stream'; body: MessagesBody }
    | { operation: 'converse' | 'converse-stream'; body: ConverseBody }
    | { operation: 'count-tokens'; body: CountTokensBody }
  );

interface ReceivedRequestBase {
  id: string;
  modelId: string;
  httpVersion: string;
  /** The client's port: requests on one kept-alive connection share it. */
  clientPort: number | undefined;
  /** Request headers, e.g. to check the SDK's SigV4 signature scope. */
  headers: Record<string, string | string[] | undefined>;
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

const ROUTE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)$/;
const STREAMING = new Set<RuntimeOperation>(['invoke-with-response-stream', 'converse-stream']);
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
  /** Prefixes the local model has cached, for its cache read/write counts. */
  private readonly promptCache = new PromptCache();
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

  /**
   * Queues replies for the next requests, in order; unscripted requests get
   * the local model. CountTokens takes no scripted reply: it always counts.
   */
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
    const match = ROUTE.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'POST' || !match) {
      return this.sendError(res, undefined, 404, 'UnknownOperationException', `No such operation: ${req.method} ${req.url}`);
    }
    let settle!: (outcome: RequestOutcome) => void;
    const received = {
      id: randomUUID(),
      modelId: decodeURIComponent(match[1]!),
      operation: match[2] as RuntimeOperation,
      httpVersion: req.httpVersion,
      clientPort: req.socket.remotePort,
      headers: { ...req.headers },
      body: {},
      outcome: 'open',
      settled: new Promise((resolve) => (settle = resolve)),
    } as ReceivedRequest;
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
      received.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedRequest['body'];
    } catch {
      this.record(received);
      return this.sendError(res, received, 400, 'ValidationException', 'Malformed input request: body is not JSON.');
    }
    this.record(received);
    if (received.operation === 'count-tokens') return this.sendCount(res, received);

    const reply = this.scripted.shift() ?? (await this.localModelReply(received));
    if (reply.kind === 'hang') return;
    if (reply.kind === 'drop-after-body') {
      this.settle(received, 'failed');
      // The whole connection, as a network fault would: HTTP/2 loses its session.
      return void ('stream' in req ? req.stream.session?.destroy() : req.socket.destroy());
    }
    if (reply.kind === 'malformed-chunk') return this.sendMalformed(res, received, reply.payload);
    if (reply.kind === 'http-error') return this.sendError(res, received, reply.status, reply.errorType, reply.message);
    if (!STREAMING.has(received.operation)) {
      if (reply.kind === 'stream-error') return this.sendError(res, received, 500, 'InternalServerException', reply.message);
      return received.operation === 'converse' ? this.sendConverseMessage(res, reply, received) : this.sendMessage(res, reply, received);
    }
    if (received.operation === 'converse-stream') return this.sendConverseStream(res, reply, received);
    await this.sendStream(res, reply, received);
  }

  /** The request in the order the local model reads it, whichever API brought it. */
  private promptOf(received: ReceivedRequest): PromptPart[] {
    switch (received.operation) {
      case 'invoke':
      case 'invoke-with-response-stream':
        return partsOfMessagesBody(received.body);
      case 'converse':
      case 'converse-stream':
        return partsOfConverseBody(received.body);
      case 'count-tokens': {
        const input = received.body.input;
        if (input?.converse) return partsOfConverseBody(input.converse);
        const body = input?.invokeModel?.body;
        return body ? partsOfMessagesBody(JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as MessagesBody) : [];
      }
    }
  }

  /** CountTokens: {inputTokens}, the local model's estimate, cache points ignored. */
  private async sendCount(res: AnyResponse, received: ReceivedRequest) {
    if (received.modelId !== LOCAL_MODEL_ID) return this.sendError(res, received, 400, 'ValidationException', this.onlyLocal(received));
    let inputTokens: number;
    try {
      const parts = this.promptOf(received).filter((part) => part.kind !== 'cache-point');
      inputTokens = (await inspectPrompt(parts)).inputTokens;
    } catch {
      return this.sendError(res, received, 400, 'ValidationException', 'Could not read the input to count.');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': received.id });
    this.settle(received, 'completed');
    res.end(JSON.stringify({ inputTokens }));
  }

  private onlyLocal(received: ReceivedRequest) {
    return `This local endpoint serves only ${LOCAL_MODEL_ID}, not ${received.modelId.slice(0, 80)}.`;
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
      return { kind: 'http-error', status: 400, errorType: 'ValidationException', message: this.onlyLocal(received) };
    }
    try {
      const { text, ...usage } = await inspectPrompt(this.promptOf(received), this.promptCache);
      let deltas = splitIntoDeltas(text);
      const body = received.body as MessagesBody & ConverseBody;
      const maxTokens = body.max_tokens ?? body.inferenceConfig?.maxTokens ?? Infinity;
      const truncated = deltas.length > maxTokens;
      if (truncated) deltas = deltas.slice(0, maxTokens);
      return {
        kind: 'text',
        deltas,
        stopReason: truncated ? 'max_tokens' : 'end_turn',
        usage: { ...usage, outputTokens: deltas.length },
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
        usage: { ...anthropicUsage(usage), output_tokens: usage.outputTokens },
      }),
    );
  }

  private sendConverseMessage(res: AnyResponse, reply: Extract<ScriptedReply, { kind: 'text' }>, received: ReceivedRequest) {
    const usage = reply.usage ?? { inputTokens: 0, outputTokens: reply.deltas.length };
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': received.id });
    this.settle(received, 'completed');
    res.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: reply.deltas.join('') }] } },
        stopReason: reply.stopReason ?? 'end_turn',
        usage: converseUsage(usage),
        metrics: { latencyMs: 0 },
      }),
    );
  }

  /** ConverseStream, framed as Bedrock sends it: one event per ConverseStreamOutput member. */
  private async sendConverseStream(
    res: AnyResponse,
    reply: Extract<ScriptedReply, { kind: 'text' | 'stream-error' }>,
    received: ReceivedRequest,
  ) {
    const paceMs = reply.kind === 'text' ? (reply.paceMs ?? 0) : 0;
    const started = performance.now();
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': received.id });
    const send = (frame: Uint8Array) => {
      if (received.outcome === 'open') (res as ServerResponse).write(frame);
    };
    send(encodeConverseEvent('messageStart', { role: 'assistant' }));
    send(encodeConverseEvent('contentBlockStart', { contentBlockIndex: 0, start: { text: '' } }));
    for (const text of reply.deltas) {
      if (paceMs > 0) await sleep(paceMs);
      if (received.outcome !== 'open') return;
      send(encodeConverseEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
    }
    if (reply.kind === 'stream-error') {
      send(encodeExceptionEvent(reply.exceptionType, reply.message));
      this.settle(received, 'failed');
      res.end();
      return;
    }
    const usage = reply.usage ?? { inputTokens: 0, outputTokens: reply.deltas.length };
    send(encodeConverseEvent('contentBlockStop', { contentBlockIndex: 0 }));
    send(encodeConverseEvent('messageStop', { stopReason: reply.stopReason ?? 'end_turn' }));
    send(encodeConverseEvent('metadata', { usage: converseUsage(usage), metrics: { latencyMs: Math.round(performance.now() - started) } }));
    this.settle(received, 'completed');
    res.end();
  }

  private sendMalformed(res: AnyResponse, received: ReceivedRequest, payload = '{"type": "content_block_delta", "delta": ') {
    const streaming = STREAMING.has(received.operation);
    res.writeHead(200, { 'content-type': streaming ? 'application/vnd.amazon.eventstream' : 'application/json' });
    this.settle(received, 'failed');
    if (!streaming) {
      res.end(payload);
      return;
    }
    res.end(received.operation === 'converse-stream' ? encodeRawEvent('contentBlockDelta', payload) : encodeRawChunk(payload));
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
          usage: { ...anthropicUsage(usage), output_tokens: 1 },
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
          ...(usage.cacheReadInputTokens !== undefined && { cacheReadInputTokenCount: usage.cacheReadInputTokens }),
          ...(usage.cacheWriteInputTokens !== undefined && { cacheWriteInputTokenCount: usage.cacheWriteInputTokens }),
          invocationLatency: 0,
          firstByteLatency: 0,
        },
      }),
    );
    this.settle(received, 'completed');
    res.end();
  }
}

/** Usage as Anthropic's Messages API names it, cache counts only when there are any. */
function anthropicUsage(usage: TokenUsage) {
  return {
    input_tokens: usage.inputTokens,
    ...(usage.cacheReadInputTokens !== undefined && { cache_read_input_tokens: usage.cacheReadInputTokens }),
    ...(usage.cacheWriteInputTokens !== undefined && { cache_creation_input_tokens: usage.cacheWriteInputTokens }),
  };
}

/** Usage as Converse's TokenUsage names it. */
function converseUsage(usage: TokenUsage) {
  const cached = (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
  return { ...usage, totalTokens: usage.inputTokens + cached + usage.outputTokens };
}

/** Starts a local endpoint on a free loopback port. */
export async function startLocalBedrock(options: LocalBedrockOptions = {}): Promise<LocalBedrock> {
  return new LocalBedrock(options).start();
}
