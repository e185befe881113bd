import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { createGraphQLError, createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { ErrorCode } from './errors.js';
import type { GatewayContext } from './context.js';
import { schema } from './schema/index.js';
import type { DescribeImageDeps } from './services/describe-image.js';

/** Headers that mark a request as sent by a script, not a cross-site form. */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight'];

export interface GatewayYogaOptions {
  services: DescribeImageDeps;
  /** GraphiQL's opening tab, or false to turn GraphiQL off. */
  graphiql: false | { query: string; variables: string };
}

export type GatewayYoga = YogaServerInstance<Record<string, never>, GatewayContext>;

/** The GraphQL app: schema, context and plugins. It never listens; server.ts does. */
export function createGatewayYoga({ services, graphiql }: GatewayYogaOptions): GatewayYoga {
  return createYoga<Record<string, never>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: ({ request }) => ({ services, request }),
    graphiql: graphiql && {
      title: 'Bedrock vision gateway',
      defaultTabs: [graphiql],
      subscriptionsProtocol: 'SSE',
      additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
    },
    maskedErrors: { maskError: maskGatewayError },
    // Multipart and other "simple" requests skip the browser's CORS preflight,
    // so they must carry a custom header (yoga's CSRF guidance).
    plugins: [useCSRFPrevention({ requestHeaders: CSRF_HEADERS })],
  });
}

/**
 * Yoga's masking, plus a code for variable coercion errors (wrong types, a
 * @oneOf input with both keys), which graphql-js reports without one. Their
 * messages echo the value, so long strings (base64 images) are cut short.
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  if (error instanceof GraphQLError && !error.originalError && !error.extensions.code && error.message.startsWith('Variable "$')) {
    return createGraphQLError(error.message.replace(/"([^"]{40})[^"]{8,}"/g, '"$1…"'), {
      nodes: error.nodes,
      extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
    });
  }
  return maskError(error, message, isDev);
}
