import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createFetch } from '@whatwg-node/fetch';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { ANONYMOUS, type ApiKeys, type Caller } from './auth.js';
import type { GatewayContext } from './context.js';
import { ErrorCode, unauthenticated } from './errors.js';
import { useCompressedGraphiQL } from './plugins/compressed-graphiql.js';
import { usePayloadTooLargeCode, withRequestErrorCode } from './plugins/request-error-codes.js';
import { useReturnUnsentStreams } from './plugins/return-unsent-streams.js';
import { useSseNoBuffering } from './plugins/sse-no-buffering.js';
import { useVariableListCap } from './plugins/variable-list-cap.js';
import { useVariableErrorCodes } from './plugins/variable-error-codes.js';
import { schema } from './schema/index.js';
import type { Services } from './services/container.js';

/** Headers that mark a request as sent by a script, not a cross-site form. */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight'];

export interface GatewayYogaOptions {
  services: Services;
  /** GraphiQL's opening tab, or false to turn GraphiQL off. */
  graphiql: false | { query: string; variables: string };
  apiKeys: ApiKeys;
  /** Cross-origin browser origins allowed; none means same-origin only. */
  corsOrigins: string[];
  /** Largest JSON body and largest multipart request. */
  maxRequestBytes: number;
  /** Longest list in a request's variables (0 = no cap). */
  maxListItems: number;
  /** Largest uploaded file. */
  maxFileBytes: number;
  /** Hide field suggestions ("did you mean...") that reveal the schema. */
  production: boolean;
  introspection: boolean;
  /** Extra plugins (logging, metrics). */
  plugins?: Plugin<GatewayContext>[];
  /** Where yoga's own messages (e.g. masked errors) go. */
  logger: Logger;
  /** Called for each request refused for a missing or wrong API key (for metrics). */
  onUnauthenticated?: () => void;
}

/** What the graphql-ws adapter passes in; plain HTTP requests have neither. */
interface InitialContext {
  caller?: Caller;
  /** The graphql-ws operation's signal (see graphql-ws.ts). */
  operationSignal?: AbortSignal;
}

/**
 * graphql-armor's refusals carry no code; this gives them one (its `onReject`
 * hook gets the error before it is thrown).
 */
const armorRefusal = {
  onReject: [(_context: unknown, error: GraphQLError) => void Object.assign(error.extensions, { code: ErrorCode.QUERY_TOO_COMPLEX })],
};

/** For a context with neither a request nor an operation (in-process execution). */
const NEVER_ABORTED = new AbortController().signal;

export type GatewayYoga = YogaServerInstance<InitialContext, GatewayContext>;

/**
 * Refuses HTTP and SSE requests without a valid API key before their body is
 * parsed; WebSockets are checked at connection_init (server.ts).
 */
function useApiKeys(apiKeys: ApiKeys, callers: WeakMap<Request, Caller>, onRefused?: () => void): Plugin {
  return {
    onRequestParse({ request }) {
      const caller = apiKeys.identify(request.headers.get('authorization'));
      if (!caller) {
        onRefused?.();
        throw unauthenticated('Send a valid API key as "Authorization: Bearer <key>".');
      }
      callers.set(request, caller);
    },
  };
}

/** The GraphQL app: schema, context and plugins. It never listens; server.ts does. */
export function createGatewayYoga(options: GatewayYogaOptions): GatewayYoga {
  const callers = new WeakMap<Request, Caller>();
  const graphiqlOptions = options.graphiql && {
    title: 'Bedrock vision gateway',
    // Not in yoga's option types, but its GraphiQL passes them on as the
    // opening query and variables (GraphiQL's initialQuery/initialVariables).
    ...({ query: options.graphiql.query, variables: options.graphiql.variables } as object),
    subscriptionsProtocol: 'SSE' as const,
    additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
  };
  const graphiqlHtml = graphiqlOptions && renderGraphiQL(graphiqlOptions);
  return createYoga<InitialContext, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: ({ request, caller, operationSignal }) => ({
      services: options.services,
      request,
      caller: caller ?? callers.get(request) ?? ANONYMOUS,
      signal: operationSignal ?? request?.signal ?? NEVER_ABORTED,
    }),
    // Same-origin needs no CORS headers; yoga's default would reflect any origin.
    cors: options.corsOrigins.length > 0 ? { origin: options.corsOrigins, credentials: true } : false,
    maxRequestBodySize: options.maxRequestBytes,
    // Multipart limits apply while the body streams in, before it is all read.
    fetchAPI: createFetch({
      formDataLimits: { fileSize: options.maxFileBytes, files: 1, fields: 8, fieldSize: 100_000, parts: 10 },
    }),
    batching: false,
    // Yoga's messages as structured pino logs, at the server's log level.
    logging: {
      debug: (...args: unknown[]) => options.logger.debug({ yoga: args }),
      info: (...args: unknown[]) => options.logger.info({ yoga: args }),
      warn: (...args: unknown[]) => options.logger.warn({ yoga: args }),
      error: (...args: unknown[]) => options.logger.error({ err: args.find((a) => a instanceof Error), yoga: args.filter((a) => !(a instanceof Error)) }),
    },
    // The bundled GraphiQL works offline; yoga's default loads it from a CDN.
    // Rendered once here, so that useCompressedGraphiQL can compress it once.
    renderGraphiQL: () => graphiqlHtml || '',
    graphiql: graphiqlOptions,
    plugins: [
      // Multipart and other "simple" requests skip the browser's CORS preflight,
      // so they must carry a custom header (yoga's CSRF guidance).
      withRequestErrorCode(useCSRFPrevention({ requestHeaders: CSRF_HEADERS }), ErrorCode.CSRF_REFUSED),
      usePayloadTooLargeCode(options.maxRequestBytes),
      useVariableListCap(options.maxListItems),
      useApiKeys(options.apiKeys, callers, options.onUnauthenticated),
      EnvelopArmorPlugin({
        // The schema is shallow (depth 3); the depth cap guards future growth.
        // Armor exempts introspection from it, so GraphiQL keeps working.
        maxDepth: { n: 8, ...armorRefusal },
        maxAliases: { n: 4, ...armorRefusal },
        maxDirectives: { n: 10, ...armorRefusal },
        maxTokens: { n: 1000, ...armorRefusal },
        costLimit: { maxCost: 5000, ...armorRefusal },
        blockFieldSuggestion: { enabled: options.production },
      }),
      ...(options.introspection ? [] : [useDisableIntrospection()]),
      useVariableErrorCodes(),
      ...(graphiqlHtml ? [useCompressedGraphiQL(graphiqlHtml)] : []),
      useSseNoBuffering(),
      ...(options.plugins ?? []),
      // Last: it must see whether any plugin chose a way to send the result.
      useReturnUnsentStreams(),
    ],
  });
}
