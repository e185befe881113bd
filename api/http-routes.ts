import type { IncomingMessage, ServerResponse } from 'node:http';
import { createStaticAssets } from './static-assets.js';
import type { Telemetry } from './telemetry.js';
import type { GatewayYoga } from './yoga.js';

export interface HttpRoutesOptions {
  yoga: GatewayYoga;
  telemetry: Telemetry;
  /** False while starting and once shutdown has begun: /ready answers 503. */
  isReady: () => boolean;
  /** Folder of the built web client, served at / when it exists. */
  webRoot: string;
}

/** GraphQL (yoga) on its endpoint, /health, /ready, /metrics, and the web client at /. */
export function createHttpRoutes(options: HttpRoutesOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { yoga, telemetry } = options;
  const serveWeb = createStaticAssets(options.webRoot);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === yoga.graphqlEndpoint || path?.startsWith(`${yoga.graphqlEndpoint}/`)) return void yoga(req, res);
    if (path === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (path === '/ready') {
      const ready = options.isReady();
      return void res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready' : 'not ready');
    }
    if (path === '/metrics') {
      return void telemetry.registry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': telemetry.registry.contentType }).end(body));
    }
    if (serveWeb) return serveWeb(req, res);
    // No web client built: send people to GraphiQL.
    res.writeHead(path === '/' ? 302 : 404, { location: yoga.graphqlEndpoint }).end();
  };
}
