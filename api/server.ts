import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { ExecutionArgs } from 'graphql';
import type { ServerOptions as WsServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import pino, { type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { ApiKeys, type Caller } from './auth.js';
import { createAwsBedrockClient, createLocalBedrockClient } from './bedrock/client.js';
import type { Config } from './config.js';
import { graphiqlExampleTab } from './graphiql-example.js';
import { UploadStore } from './images/upload-store.js';
import { LocalBedrock } from './local/endpoint.js';
import { isAllowedOrigin } from './origin.js';
import { Admission } from './services/admission.js';
import type { DescribeImageDeps } from './services/describe-image.js';
import { createStaticAssets } from './static-assets.js';
import { countUpstreamRetries, createTelemetry } from './telemetry.js';
import { logWebSocketErrors } from './ws-errors.js';
import { createGatewayYoga, type GatewayYoga } from './yoga.js';

/** Execution args that carry yoga's enveloped execute/subscribe, as in yoga's graphql-ws recipe. */
type EnvelopedArgs = ExecutionArgs & {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
};
type OperationResult = ReturnType<NonNullable<WsServerOptions['execute']>>;

/** What graphql-ws keeps per socket, besides the socket and upgrade request. */
type SocketExtra = { caller?: Caller } & Record<PropertyKey, unknown>;

export interface ServerOptions {
  /**
   * Extra settings for the SDK client (tests point it at their own endpoint).
   * In `aws` mode, anything not given here comes from the SDK's own configuration.
   */
  bedrockClientConfig?: BedrockRuntimeClientConfig;
  /** @default a silent logger */
  logger?: Logger;
}

export interface GatewayServer {
  /** Listens; resolves once the port is bound (and the local endpoint, if any, is up). */
  start(): Promise<void>;
  /**
   * Graceful stop: /ready turns 503 and new describe requests are refused at
   * once; in-flight streams get `graceMs` to finish, then are ended (upstream
   * aborted, clients sent `complete`); WebSockets close with 1001.
   */
  shutdown(graceMs: number): Promise<void>;
  /** shutdown(0). */
  stop(): Promise<void>;
  /** `http://host:port` once started. */
  readonly url: string;
  /** The embedded endpoint in local mode, for logs and tests. */
  readonly localBedrock: LocalBedrock | undefined;
  readonly services: DescribeImageDeps;
  readonly yoga: GatewayYoga;
}

/**
 * HTTP, GraphQL over HTTP/SSE (yoga) and graphql-ws on one port and path,
 * plus /health, /ready and /metrics. Build, then listen: nothing binds until start().
 */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<GatewayServer> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const telemetry = createTelemetry(logger);
  const apiKeys = new ApiKeys(config.apiKeys);
  const admission = new Admission(config.limits);
  const localBedrock = config.bedrockMode === 'local' ? new LocalBedrock({ paceMs: config.localModelPaceMs }) : undefined;
  let bedrock: BedrockRuntimeClient | undefined;
  let ready = false;

  const services: DescribeImageDeps = {
    get bedrock(): BedrockRuntimeClient {
      if (!bedrock) throw new Error('server not started');
      return bedrock;
    },
    uploads: new UploadStore({ ttlMs: config.uploads.ttlMs, maxBytes: config.uploads.maxBytes }),
    allowedModelIds: config.allowedModelIds,
    defaultModelId: config.defaultModelId,
    bedrockMode: config.bedrockMode,
    maxInputImageBytes: config.images.maxInputBytes,
    maxInputPixels: config.images.maxInputPixels,
    admission,
    upstreamIdleTimeoutMs: config.upstreamIdleTimeoutMs,
    telemetry,
  };

  const yoga = createGatewayYoga({
    services,
    graphiql: config.graphiql && (await graphiqlExampleTab()),
    apiKeys,
    corsOrigins: config.corsOrigins,
    maxRequestBytes: config.maxRequestBytes,
    maxFileBytes: config.images.maxInputBytes,
    production: config.production,
    introspection: config.introspection,
    logger,
    onUnauthenticated: () => telemetry.rejected('UNAUTHENTICATED'),
  });
  const serveWeb = createStaticAssets(config.webRoot);

  const httpServer = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === yoga.graphqlEndpoint || path?.startsWith(`${yoga.graphqlEndpoint}/`)) return void yoga(req, res);
    if (path === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (path === '/ready') {
      return void res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready' : 'not ready');
    }
    if (path === '/metrics') {
      return void telemetry.registry.metrics().then((body) => res.writeHead(200, { 'content-type': telemetry.registry.contentType }).end(body));
    }
    if (serveWeb) return serveWeb(req, res);
    // No web client built: send people to GraphiQL.
    res.writeHead(path === '/' ? 302 : 404, { location: yoga.graphqlEndpoint }).end();
  });

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    // One message carries a whole operation, base64 images included.
    maxPayload: config.maxRequestBytes,
    // Browsers send cookies cross-site on WebSocket upgrades and CORS does not
    // apply to them, so the Origin is checked here (cross-site WebSocket hijacking).
    verifyClient: ({ req }: { req: IncomingMessage }) =>
      isAllowedOrigin(req.headers.origin, req.headers.host, config.corsOrigins),
  });
  useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      execute: (args) => (args as EnvelopedArgs).execute(args),
      subscribe: (args) => (args as EnvelopedArgs).subscribe(args),
      onConnect: (ctx) => {
        const params = ctx.connectionParams ?? {};
        const caller = apiKeys.identify(params.authorization ?? params.Authorization);
        if (!caller) {
          telemetry.rejected('UNAUTHENTICATED');
          return false; // graphql-ws closes with 4403 Forbidden
        }
        ctx.extra.caller = caller;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // Run every operation through yoga's envelop, so WS gets the same
        // schema, context, validation and error masking as HTTP and SSE.
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          caller: ctx.extra.caller,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as never];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          execute,
          subscribe,
        } satisfies EnvelopedArgs;
      },
    },
    wsServer,
    // Ping every keepAlive ms; a peer that has not answered the last ping is
    // terminated, and its subscriptions (and their upstream calls) end with it.
    config.wsKeepAliveMs,
  );
  logWebSocketErrors(wsServer, logger);

  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let url = '';
  let stopping: Promise<void> | undefined;

  async function shutdown(graceMs: number) {
    ready = false;
    admission.close();
    if (admission.active > 0 && graceMs > 0) {
      logger.info({ inFlight: admission.active, graceMs }, 'draining: waiting for in-flight descriptions');
      await Promise.race([admission.idle(), sleep(graceMs)]);
    }
    await admission.cancelAll();
    // graphql-ws and yoga send `complete` for the ended streams a few ticks
    // later; let those frames go out before the sockets close.
    await sleep(50);
    for (const client of wsServer.clients) client.close(1001, 'Server shutting down') // 1001 Going Away;
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    await Promise.race([closed, sleep(200)]);
    for (const socket of sockets) socket.destroy();
    await closed;
    bedrock?.destroy();
    await localBedrock?.stop();
  }

  return {
    get url() {
      return url;
    },
    localBedrock,
    services,
    yoga,
    async start() {
      if (localBedrock) {
        await localBedrock.start();
        bedrock = createLocalBedrockClient(localBedrock.url, options.bedrockClientConfig);
      } else {
        bedrock = createAwsBedrockClient(options.bedrockClientConfig);
      }
      countUpstreamRetries(bedrock, telemetry.registry);
      httpServer.listen(config.port, config.host);
      await once(httpServer, 'listening');
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
      ready = true;
    },
    shutdown(graceMs) {
      stopping ??= shutdown(graceMs);
      return stopping;
    },
    stop() {
      stopping ??= shutdown(0);
      return stopping;
    },
  };
}
