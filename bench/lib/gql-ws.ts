import WebSocket from 'ws';
import { monotonicMs } from './clock.js';

/** What a subscription's results are handed to, with the time each arrived. */
export interface Sink {
  next(payload: { data?: any; errors?: unknown[] }, at: number): void;
  error(errors: unknown, at: number): void;
  complete(at: number): void;
}

/**
 * A lean graphql-transport-ws client (the protocol graphql-ws speaks:
 * https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md). The load
 * generator shares the two cores with the server, so it does as little as a
 * client can: one JSON.parse per message, no retries, no lazy connecting.
 */
export class GqlWsConnection {
  private readonly sinks = new Map<string, Sink>();
  private nextId = 1;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const at = monotonicMs();
      const message = JSON.parse(data.toString()) as { id?: string; type: string; payload?: any };
      const sink = message.id === undefined ? undefined : this.sinks.get(message.id);
      switch (message.type) {
        case 'next':
          sink?.next(message.payload, at);
          break;
        case 'error':
          this.sinks.delete(message.id!);
          sink?.error(message.payload, at);
          break;
        case 'complete':
          this.sinks.delete(message.id!);
          sink?.complete(at);
          break;
        case 'ping':
          socket.send('{"type":"pong"}');
          break;
      }
    });
    socket.on('close', (code, reason) => {
      for (const sink of this.sinks.values()) sink.error(new Error(`socket closed ${code} ${reason}`), monotonicMs());
      this.sinks.clear();
    });
  }

  /** Opens a socket and resolves once the server acknowledged connection_init. */
  static open(url: string, timeoutMs = 10_000): Promise<GqlWsConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('connection_ack timed out'));
      }, timeoutMs);
      socket.once('open', () => socket.send('{"type":"connection_init"}'));
      socket.once('message', (data) => {
        clearTimeout(timer);
        const message = JSON.parse(data.toString()) as { type: string };
        if (message.type === 'connection_ack') resolve(new GqlWsConnection(socket));
        else reject(new Error(`expected connection_ack, got ${message.type}`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  subscribe(query: string, variables: Record<string, unknown>, sink: Sink): { id: string; sentAt: number } {
    const id = String(this.nextId++);
    this.sinks.set(id, sink);
    const sentAt = monotonicMs();
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    return { id, sentAt };
  }

  unsubscribe(id: string): void {
    if (this.sinks.delete(id)) this.socket.send(JSON.stringify({ id, type: 'complete' }));
  }

  close(): void {
    this.socket.close(1000);
  }

  /** Drops the TCP connection without a closing handshake (fast teardown of thousands). */
  terminate(): void {
    this.socket.terminate();
  }
}
