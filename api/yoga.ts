import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useVariableErrorCodes } from './plugins/variable-error-codes.js';
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
    // The bundled GraphiQL works offline; yoga's default loads it from a CDN.
    renderGraphiQL,
    graphiql: graphiql && {
      title: 'Bedrock vision gateway',
      // Not in yoga's option types, but its GraphiQL passes them on as the
      // opening query and variables (GraphiQL's initialQuery/initialVariables).
      ...({ query: graphiql.query, variables: graphiql.variables } as object),
      subscriptionsProtocol: 'SSE',
      additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
    },
    // Multipart and other "simple" requests skip the browser's CORS preflight,
    // so they must carry a custom header (yoga's CSRF guidance).
    plugins: [useCSRFPrevention({ requestHeaders: CSRF_HEADERS }), useVariableErrorCodes()],
  });
}

