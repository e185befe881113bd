import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Vite puts content-hashed files here: a new build gives them new names. */
const HASHED = /^\/assets\//;

/** A year: hashed files never change under their name. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, public/ files) is revalidated with its ETag on each use. */
export const REVALIDATE = 'no-cache';

/**
 * Serves the built web client at / with an SPA fallback to index.html, or
 * returns undefined when `webRoot` was not built. The `.br` and `.gz` copies
 * written at build time (web/precompress.ts) are sent to clients that accept
 * them, with `Vary: Accept-Encoding`.
 */
export function createStaticAssets(webRoot: string): StaticHandler | undefined {
  if (!existsSync(webRoot)) return undefined;
  const serve = sirv(webRoot, {
    single: true,
    etag: true,
    brotli: true,
    gzip: true,
    setHeaders: (res, pathname) => res.setHeader('cache-control', HASHED.test(pathname) ? IMMUTABLE : REVALIDATE),
  });
  return (req, res) => serve(req, res);
}
