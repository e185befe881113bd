import type http from 'node:http';
import { GqlWsConnection } from './gql-ws.js';
import { sseSubscribe } from './sse.js';

/** What one subscription delivered, as the client saw it. */
export interface Received {
  sentAt: number;
  /** Arrival time of the first chunk with text. */
  firstAt: number;
  endAt: number;
  text: string;
  /** Chunks with text (a merged chunk counts once). */
  chunks: number;
  /** Arrival time and reassembled length after each chunk with text, if asked for. */
  arrivals?: { at: number[]; length: number[] };
  /** Set when the stream failed (error message, or out-of-order index). */
  failure?: string;
}

export type Transport = 'ws' | 'sse';

interface ChunkPayload {
  data?: { describeImage?: { index: number; text: string; done: boolean } };
}

/**
 * Runs one describeImage subscription to its end and collects what came,
 * checking that `index` counts up by one per chunk.
 */
export function runSubscription(
  transport: { kind: 'ws'; connection: GqlWsConnection } | { kind: 'sse'; url: string; agent: http.Agent; headers?: Record<string, string> },
  query: string,
  variables: Record<string, unknown>,
  options: { trackArrivals?: boolean; onFirst?: () => void } = {},
): Promise<Received> {
  return new Promise((resolve) => {
    const received: Received = { sentAt: NaN, firstAt: NaN, endAt: NaN, text: '', chunks: 0 };
    if (options.trackArrivals) received.arrivals = { at: [], length: [] };
    let expectedIndex = 0;
    const sink = {
      next(payload: ChunkPayload, at: number) {
        const chunk = payload.data?.describeImage;
        if (!chunk) return;
        if (chunk.index !== expectedIndex++) received.failure ??= `index ${chunk.index}, expected ${expectedIndex - 1}`;
        if (!chunk.text) return;
        if (received.chunks++ === 0) {
          received.firstAt = at;
          options.onFirst?.();
        }
        received.text += chunk.text;
        if (received.arrivals) {
          received.arrivals.at.push(at);
          received.arrivals.length.push(received.text.length);
        }
      },
      error(errors: unknown, at: number) {
        received.endAt = at;
        received.failure ??= JSON.stringify(errors instanceof Error ? errors.message : errors).slice(0, 300);
        resolve(received);
      },
      complete(at: number) {
        received.endAt = at;
        resolve(received);
      },
    };
    received.sentAt =
      transport.kind === 'ws'
        ? transport.connection.subscribe(query, variables, sink).sentAt
        : sseSubscribe(transport.url, transport.agent, query, variables, sink, transport.headers).sentAt;
  });
}
