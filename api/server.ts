import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import pino, { type Logger } from 'pino';
import { ApiKeys } from './auth.js';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { createAwsBedrockClient, createLocalBedrockClient, createLocalControlPlaneClient } from './bedrock/client.js';
import { ModelDiscovery } from './bedrock/discovery.js';
import type { Config } from './config.js';
import { graphiqlExampleTab } from './graphiql-example.js';
import { attachGraphqlWs, GOING_AWAY } from './graphql-ws.js';
import { createHttpRoutes } from './http-routes.js';
import { LocalBedrock } from './local/endpoint.js';
import { createServices, type Services } from './services/container.js';
import { createStores } from './stores/create-stores.js';
import { countUpstreamRetries, createTelemetry } from './telemetry.js';
import { logWebSocketErrors } from './ws-errors.js';
import { createGatewayYoga, type GatewayYoga } from './yoga.js';

/** At shutdown, how long cancelled requests get to end and be answered before sockets close. */
const CANCEL_WAIT_MS = 1000;

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
  readonly services: Services;
  readonly yoga: GatewayYoga;
}

/**
 * Wires the gateway: services, yoga, HTTP routes and graphql-ws on one port
 * and path. Build, then listen: nothing binds until start().
 */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<GatewayServer> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const telemetry = createTelemetry(logger);
  const apiKeys = new ApiKeys(config.apiKeys);
  // With REDIS_URL, this rejects when Redis cannot be reached (main.ts exits non-zero).
  const stores = await createStores(config, telemetry.registry, logger);
  const services = createServices(config, telemetry, stores);
  const localBedrock = config.bedrockMode === 'local' ? new LocalBedrock({ paceMs: config.localModelPaceMs }) : undefined;
  let ready = false;

  const yoga = createGatewayYoga({
    services,
    graphiql: config.graphiql && (await graphiqlExampleTab()),
    apiKeys,
    corsOrigins: config.corsOrigins,
    maxRequestBytes: config.maxRequestBytes,
    maxListItems: config.maxListItems,
    maxFileBytes: config.images.maxInputBytes,
    production: config.production,
    introspection: config.introspection,
    logger,
    onUnauthenticated: () => telemetry.rejected('UNAUTHENTICATED'),
  });
  const bodyTimeoutMs = config.requestBodyTimeoutMs;
  const httpServer = http.createServer(
    {
      // A client that drips its headers or body is answered 408 and closed. Node
      // checks these deadlines every connectionsCheckingInterval (30 s by
      // default), so that is tightened to a fraction of the deadline.
      requestTimeout: bodyTimeoutMs,
      headersTimeout: bodyTimeoutMs > 0 ? Math.min(60_000, bodyTimeoutMs) : 60_000,
      connectionsCheckingInterval: bodyTimeoutMs > 0 ? Math.min(30_000, Math.max(100, Math.round(bodyTimeoutMs / 4))) : 30_000,
    },
    createHttpRoutes({ yoga, telemetry, isReady: () => ready && stores.ready(), webRoot: config.webRoot }),
  );
  const wsServer = attachGraphqlWs(httpServer, {
    yoga,
    apiKeys,
    telemetry,
    corsOrigins: config.corsOrigins,
    maxPayloadBytes: config.maxRequestBytes,
    maxListItems: config.maxListItems,
    keepAliveMs: config.wsKeepAliveMs,
  });
  logWebSocketErrors(wsServer, logger);

  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Responses not yet written, so shutdown lets a cancelled mutation's answer out before closing sockets.
  const responses = new Set<http.ServerResponse>();
  httpServer.on('request', (_req, res) => {
    responses.add(res);
    res.once('close', () => responses.delete(res));
  });
  const responsesWritten = async (timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (responses.size > 0 && performance.now() < deadline) await sleep(10);
  };

  let url = '';
  let stopping: Promise<void> | undefined;

  async function shutdown(graceMs: number) {
    ready = false;
    const { admission } = services;
    admission.close();
    if (admission.active > 0 && graceMs > 0) {
      logger.info({ inFlight: admission.active, graceMs }, 'draining: waiting for in-flight descriptions');
      await Promise.race([admission.idle(), sleep(graceMs)]);
    }
    // Streams are ended (`complete`), mutations answered SHUTTING_DOWN; this
    // resolves once each has released its slot (bounded, so a stuck call
    // cannot hold the process).
    await Promise.race([admission.cancelAll(), sleep(CANCEL_WAIT_MS)]);
    // graphql-ws and yoga send those answers a few ticks later; let them go
    // out before the sockets close.
    await sleep(50);
    await responsesWritten(CANCEL_WAIT_MS);
    for (const client of wsServer.clients) client.close(GOING_AWAY, 'Server shutting down');
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    await Promise.race([closed, sleep(200)]);
    for (const socket of sockets) socket.destroy();
    await closed;
    services.modelDiscovery?.stop();
    try {
      services.bedrock.destroy();
    } catch {
      // never started: no client to close
    }
    await localBedrock?.stop();
    await stores.close();
  }

  return {
    get url() {
      return url;
    },
    localBedrock,
    services,
    yoga,
    async start() {
      let bedrock;
      if (localBedrock) {
        await localBedrock.start();
        bedrock = createLocalBedrockClient(localBedrock.url, options.bedrockClientConfig);
      } else {
        bedrock = createAwsBedrockClient(options.bedrockClientConfig);
      }
      countUpstreamRetries(bedrock, telemetry.registry);
      services.connectBedrock(bedrock);
      if (config.modelDiscoveryIntervalMs > 0) {
        // What this account and Region offer; never blocks start, never widens the allow-list.
        const client = localBedrock
          ? createLocalControlPlaneClient(localBedrock.url)
          : new BedrockClient({ region: await bedrock.config.region().catch(() => undefined) });
        services.modelDiscovery = new ModelDiscovery({ client, logger, intervalMs: config.modelDiscoveryIntervalMs });
        void services.modelDiscovery.start();
      }
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
