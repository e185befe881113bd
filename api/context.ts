import type { Caller } from './auth.js';
import type { Services } from './services/container.js';

/** What every resolver gets: the plain services, the caller, and the request when there is one. */
export interface GatewayContext {
  services: Services;
  /** Who is calling (an API key id, or anonymous on an open server). */
  caller: Caller;
  /** The HTTP request (for SSE and plain HTTP); its signal fires when the client goes away. */
  request?: Request;
}
