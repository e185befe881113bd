import type { Logger } from 'pino';
import { CloseCode } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Logs WebSocket errors as one structured pino line instead of graphql-ws's
 * `console.error` with a stack trace.
 *
 * `ws` emits 'error' on a socket when the peer breaks the protocol (a frame
 * over `maxPayload`, a bad opcode, invalid UTF-8), after it has already
 * chosen the close code (1009, 1002, 1007) and before it destroys the socket.
 * graphql-ws's `useServer` (src/use/ws.ts) adds a `once('error')` listener
 * per socket that prints "Internal error emitted on a WebSocket socket" and
 * the stack to stderr: anyone who can open a socket could fill the logs with
 * unstructured text. Call this after `useServer`: its 'connection' listener
 * runs after graphql-ws's, so it replaces that error listener.
 */
export function logWebSocketErrors(wsServer: WebSocketServer, logger: Logger): void {
  wsServer.on('connection', (socket: WebSocket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger.warn({ error: error.message, code: error.code }, 'WebSocket closed on a protocol error from the client');
      // ws closes by itself on protocol errors; anything else ends like graphql-ws would end it.
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  });
  wsServer.removeAllListeners('error');
  wsServer.on('error', (error: Error) => {
    logger.error({ error: error.message }, 'WebSocket server error');
  });
}
