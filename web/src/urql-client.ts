import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws/client';
import { authorization, onApiKeyChange } from './auth/api-key';

/** The gateway serves GraphQL on the page's own origin (and Vite proxies it in dev). */
const GRAPHQL_PATH = '/graphql';

function webSocketUrl(location: Location): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${GRAPHQL_PATH}`;
}

/**
 * Queries and mutations over HTTP (uploads as GraphQL multipart requests),
 * subscriptions over graphql-ws, the transport whose `complete` message makes
 * the server abort the upstream Bedrock call.
 */
export function createGatewayClient(location: Location = window.location): Client {
  const ws = createWsClient({
    url: webSocketUrl(location),
    lazy: true,
    retryAttempts: 3,
    connectionParams: () => {
      const value = authorization();
      return value ? { authorization: value } : {};
    },
  });
  // The key is checked once per socket (connection_init): a new key needs a new socket.
  onApiKeyChange(() => ws.terminate());

  return new Client({
    url: GRAPHQL_PATH,
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
      fetchExchange,
    ],
    fetchOptions: () => {
      // Multipart uploads are "simple" requests that skip CORS preflight, so yoga's
      // CSRF prevention rejects them without this header:
      // https://the-guild.dev/graphql/yoga-server/docs/features/csrf-prevention
      const headers: Record<string, string> = { 'x-graphql-yoga-csrf': '1' };
      const value = authorization();
      if (value) headers.authorization = value;
      return { headers };
    },
  });
}
