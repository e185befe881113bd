import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export type Result<T = Record<string, any>> = ExecutionResult<T> & {
  errors?: { message: string; extensions?: Record<string, any> }[];
};

/** A query or mutation over plain HTTP POST. */
export async function postGraphQL<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  init: RequestInit = {},
): Promise<Result<T> & { status: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ query, variables }),
    signal: init.signal,
  });
  return Object.assign((await response.json()) as Result<T>, { status: response.status });
}

/**
 * A subscription over yoga's SSE ("distinct connections" mode): yields each
 * `next` payload until `complete`. Aborting `signal` drops the connection.
 */
export async function* sseSubscribe<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
): AsyncGenerator<Result<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (!response.body) throw new Error(`no SSE body (HTTP ${response.status})`);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(message)?.[1];
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (event === 'complete') return;
      if (event === 'next' && data) yield JSON.parse(data) as Result<T>;
    }
  }
}

/** A graphql-ws client over a real WebSocket. */
export function wsClient(url: string, options: { lazy?: boolean } = {}): Client {
  return createClient({ url, webSocketImpl: WebSocket, lazy: options.lazy ?? true, retryAttempts: 0 });
}

/** All results of one subscription over graphql-ws. */
export async function collectWs<T = Record<string, any>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Result<T>[]> {
  const results: Result<T>[] = [];
  for await (const result of client.iterate({ query, variables })) results.push(result as Result<T>);
  return results;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
