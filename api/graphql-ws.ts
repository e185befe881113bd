import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { ServerOptions as WsServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiKeys, Caller } from './auth.js';
import { isAllowedOrigin } from './origin.js';
import { variableListRefusal } from './plugins/variable-list-cap.js';
import { tidyErrors } from './plugins/variable-error-codes.js';
import type { Telemetry } from './telemetry.js';
import type { GatewayYoga } from './yoga.js';

/** Execution args that carry yoga's enveloped execute/subscribe, as in yoga's graphql-ws recipe. */
type EnvelopedArgs = ExecutionArgs & {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
};
type OperationResult = ReturnType<NonNullable<WsServerOptions['execute']>>;

/** What graphql-ws keeps per socket, besides the socket and upgrade request. */
type SocketExtra = {
  caller?: Caller;
  /** One controller per running operation id, aborted when the socket closes or the client sends `complete`. */
  operations?: Map<string, AbortController>;
} & Record<PropertyKey, unknown>;

/** The operation each subscribe payload started, so a finished operation forgets only its own controller when a client reuses its id. */
const operationOf = new WeakMap<object, AbortController>();

/**
 * Gives each operation on a socket an AbortSignal. graphql-ws returns a
 * subscription's iterator when the client leaves, but only once it holds the
 * iterator, and it has nothing to return for a mutation or for a subscription
 * still being prepared; without this, those run (and are billed) to the end.
 *
 * A client's `complete` is seen through graphql-ws itself rather than by
 * parsing messages a second time: its listener on the socket comes first and
 * forgets the operation's id synchronously, so after any message an id this
 * map holds and graphql-ws no longer does was completed by the client. (A
 * second parse, skipped for large messages to spare CPU, missed a `complete`
 * padded past the size cap, and the mutation ran on, billed, holding its slot.)
 */
function trackOperations(ctx: { extra: SocketExtra & { socket: WebSocket }; subscriptions: Record<string, unknown> }): Map<string, AbortController> {
  const { extra } = ctx;
  if (extra.operations) return extra.operations;
  const operations = new Map<string, AbortController>();
  extra.operations = operations;
  extra.socket.on('message', () => {
    for (const [id, controller] of operations) {
      if (id in ctx.subscriptions) continue;
      controller.abort();
      operations.delete(id);
    }
  });
  extra.socket.once('close', () => {
    for (const controller of operations.values()) controller.abort();
    operations.clear();
  });
  return operations;
}

/** RFC 6455 caps a close frame's reason at 123 bytes (its payload is at most 125, two of them the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/** `reason` cut to fit a close frame, on a character boundary. */
export function fitCloseReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_CLOSE_REASON_BYTES);
  while (Buffer.byteLength(`${cut}…`) > MAX_CLOSE_REASON_BYTES) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * graphql-ws puts the client's operation id in some close reasons ("Subscriber
 * for <id> already exists"); with a long id, ws throws instead of closing, and
 * graphql-ws prints that error's stack to stderr and closes with 4500. Every
 * close of this socket gets a reason that fits instead.
 */
function fitCloseReasons(socket: WebSocket) {
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string | Buffer) => close(code, typeof reason === 'string' ? fitCloseReason(reason) : reason);
}

/** RFC 6455 close code for a server going away (not one of graphql-ws's own CloseCodes). */
export const GOING_AWAY = 1001;

export interface GraphqlWsOptions {
  yoga: GatewayYoga;
  apiKeys: ApiKeys;
  telemetry: Telemetry;
  corsOrigins: string[];
  /** Largest message: one carries a whole operation, base64 images included. */
  maxPayloadBytes: number;
  /** Longest list in an operation's variables (0 = no cap). */
  maxListItems: number;
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
      onSubscribe: async (ctx, id, payload) => {
        const operation = new AbortController();
        trackOperations(ctx).set(id, operation);
        operationOf.set(payload, operation);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          caller: ctx.extra.caller,
          operationSignal: operation.signal,
        });
        const listRefusal = variableListRefusal(payload.variables, options.maxListItems);
        if (listRefusal) {
          ctx.extra.operations?.delete(id);
          return [listRefusal];
        }
        let errors: readonly GraphQLError[];
        let document;
        try {
          document = parse(payload.query);
          errors = validate(schema, document);
        } catch (error) {
          // graphql-armor's limits throw from parse and from validation rules;
          // anything uncaught here would close the socket with 4500.
          if (!(error instanceof GraphQLError)) throw error;
          errors = [error];
        }
        if (errors.length > 0) {
          ctx.extra.operations?.delete(id);
          return tidyErrors(errors);
        }
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
      // The operation ended: forget it without aborting anything.
      onComplete: (ctx, id, payload) => {
        const operations = ctx.extra.operations;
        if (operations?.get(id) === operationOf.get(payload)) operations?.delete(id);
      },
    },
    wsServer,
    options.keepAliveMs,
  );
  wsServer.on('connection', fitCloseReasons);
  return wsServer;
}
