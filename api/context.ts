import type { Caller } from './auth.js';
import type { Services } from './services/container.js';

/** What every resolver gets: the plain services, the caller, and the request when there is one. */
export interface GatewayContext {
  services: Services;
  /** Who is calling (an API key id, or anonymous on an open server). */
  caller: Caller;
  /** The HTTP request (for SSE and plain HTTP). */
  request?: Request;
  /**
   * Fires when the client goes away: the HTTP request's signal, or over
   * graphql-ws the operation's own (socket closed, or the client sent `complete`).
   */
  signal: AbortSignal;
}
