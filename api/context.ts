import type { DescribeImageDeps } from './services/describe-image.js';

/** What every resolver gets: the plain services, and the request when there is one. */
export interface GatewayContext {
  services: DescribeImageDeps;
  /** The HTTP request (for SSE and plain HTTP); its signal fires when the client goes away. */
  request?: Request;
}
