import http from 'node:http';
import { monotonicMs } from './clock.js';
import type { Sink } from './gql-ws.js';

/**
 * One subscription over yoga's SSE ("distinct connections" mode) with plain
 * node:http, parsing `event:`/`data:` blocks as they arrive. Returns a
 * function that drops the connection.
 */
export function sseSubscribe(
  url: string,
  agent: http.Agent,
  query: string,
  variables: Record<string, unknown>,
  sink: Sink,
  headers: Record<string, string> = {},
): { sentAt: number; abort: () => void } {
  const body = JSON.stringify({ query, variables });
  let finished = false;
  const finish = (fn: () => void) => {
    if (finished) return;
    finished = true;
    fn();
  };
  const sentAt = monotonicMs();
  const request = http.request(url, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body), ...headers },
  });
  request.on('response', (response) => {
    if (response.statusCode !== 200) {
      finish(() => sink.error(new Error(`HTTP ${response.statusCode}`), monotonicMs()));
      response.resume();
      return;
    }
    response.setEncoding('utf8');
    let buffered = '';
    response.on('data', (text: string) => {
      const at = monotonicMs();
      buffered += text;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        let event = '';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).trimStart();
        }
        if (event === 'next' && data) {
          const payload = JSON.parse(data) as { data?: any; errors?: unknown[] };
          if (payload.errors) finish(() => sink.error(payload.errors, at));
          else sink.next(payload, at);
        } else if (event === 'complete') {
          finish(() => sink.complete(at));
        }
      }
    });
    response.on('end', () => finish(() => sink.error(new Error('SSE ended without complete'), monotonicMs())));
  });
  request.on('error', (error) => finish(() => sink.error(error, monotonicMs())));
  request.end(body);
  return {
    sentAt,
    abort: () => {
      finished = true;
      request.destroy();
    },
  };
}
