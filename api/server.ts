import { existsSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { ExecutionArgs } from 'graphql';
import type { ServerOptions as WsServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import { createAwsBedrockClient, createLocalBedrockClient } from './bedrock/client.js';
import type { Config } from './config.js';
import { graphiqlExampleTab } from './graphiql-example.js';
import { UploadStore } from './images/upload-store.js';
import { LocalBedrock } from './local/endpoint.js';
import type { DescribeImageDeps } from './services/describe-image.js';
import { createGatewayYoga, type GatewayYoga } from './yoga.js';

/** Execution args that carry yoga's enveloped execute/subscribe, as in yoga's graphql-ws recipe. */
type EnvelopedArgs = ExecutionArgs & {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
};
type OperationResult = ReturnType<NonNullable<WsServerOptions['execute']>>;

export interface ServerOptions {
  /**
   * Extra settings for the SDK client (tests point it at their own endpoint).
   * In `aws` mode, anything not given here comes from the SDK's own configuration.
   */
  bedrockClientConfig?: BedrockRuntimeClientConfig;
}

export interface GatewayServer {
  /** Listens; resolves once the port is bound (and the local endpoint, if any, is up). */
  start(): Promise<void>;
  /** Closes sockets and streams (aborting upstream calls) and stops listening. */
  stop(): Promise<void>;
  /** `http://host:port` once started. */
  readonly url: string;
  /** The embedded endpoint in local mode, for logs and tests. */
  readonly localBedrock: LocalBedrock | undefined;
  readonly services: DescribeImageDeps;
  readonly yoga: GatewayYoga;
}

/**
 * HTTP, GraphQL over HTTP/SSE (yoga) and graphql-ws on one port and path.
 * Build, then listen: nothing binds until start().
 */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<GatewayServer> {
  const localBedrock = config.bedrockMode === 'local' ? new LocalBedrock({ paceMs: config.localModelPaceMs }) : undefined;
  let bedrock: BedrockRuntimeClient | undefined;

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
  };

  const yoga = createGatewayYoga({ services, graphiql: config.graphiql && (await graphiqlExampleTab()) });
  const serveWeb = existsSync(config.webRoot) ? sirv(config.webRoot, { single: true, etag: true }) : undefined;

  const httpServer = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === yoga.graphqlEndpoint || path?.startsWith(`${yoga.graphqlEndpoint}/`)) return void yoga(req, res);
    if (path === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (serveWeb) return serveWeb(req, res);
    // No web client built: send people to GraphiQL.
    res.writeHead(path === '/' ? 302 : 404, { location: yoga.graphqlEndpoint }).end();
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint });
  useServer(
    {
      execute: (args) => (args as EnvelopedArgs).execute(args),
      subscribe: (args) => (args as EnvelopedArgs).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        // Run every operation through yoga's envelop, so WS gets the same
        // schema, context, validation and error masking as HTTP and SSE.
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
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
  );

  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let url = '';
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
      httpServer.listen(config.port, config.host);
      await once(httpServer, 'listening');
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
    },
    async stop() {
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      bedrock?.destroy();
      await localBedrock?.stop();
    },
  };
}
