import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import type { ServerOptions as WsServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { ApiKeys, Caller } from './auth.js';
import { isAllowedOrigin } from './origin.js';
import type { Telemetry } from './telemetry.js';
import type { GatewayYoga } from './yoga.js';

/** Execution args that carry yoga's enveloped execute/subscribe, as in yoga's graphql-ws recipe. */
type EnvelopedArgs = ExecutionArgs & {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
};
type OperationResult = ReturnType<NonNullable<WsServerOptions['execute']>>;

/** What graphql-ws keeps per socket, besides the socket and upgrade request. */
type SocketExtra = { caller?: Caller } & Record<PropertyKey, unknown>;

/** RFC 6455 close code for a server going away (not one of graphql-ws's own CloseCodes). */
export const GOING_AWAY = 1001;

export interface GraphqlWsOptions {
  yoga: GatewayYoga;
  apiKeys: ApiKeys;
  telemetry: Telemetry;
  corsOrigins: string[];
  /** Largest message: one carries a whole operation, base64 images included. */
  maxPayloadBytes: number;
  /** Ping interval; a peer that has not answered the last ping is terminated. */
  keepAliveMs: number;
}

/**
 * graphql-ws on the HTTP server's GraphQL path, every operation run through
 * yoga's envelop so WebSocket clients get the same schema, context,
 * validation and error masking as HTTP and SSE.
 */
export function attachGraphqlWs(httpServer: Server, options: GraphqlWsOptions): WebSocketServer {
  const { yoga, apiKeys, telemetry } = options;
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    maxPayload: options.maxPayloadBytes,
    // Browsers send cookies cross-site on WebSocket upgrades and CORS does not
    // apply to them, so the Origin is checked here (cross-site WebSocket hijacking).
    verifyClient: ({ req }: { req: IncomingMessage }) => isAllowedOrigin(req.headers.origin, req.headers.host, options.corsOrigins),
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
          return false; // graphql-ws closes with CloseCode.Forbidden (4403)
        }
        ctx.extra.caller = caller;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
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
    options.keepAliveMs,
  );
  return wsServer;
}
