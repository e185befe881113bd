import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

export type ContentEncoding = 'br' | 'gzip';

/**
 * The best encoding a client accepts: brotli, then gzip, else none.
 * Honours `;q=0` (refused), as RFC 9110 §12.5.3 asks.
 */
export function pickEncoding(acceptEncoding: string | null): ContentEncoding | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return undefined;
}

/**
 * Sends the GraphiQL page (about 9 MB of HTML with GraphiQL bundled in, 1.9 MB
 * as brotli) compressed. The page never changes while the server runs, so it
 * is compressed once, in the background from the moment the server is built,
 * and revalidated by ETag (`no-cache`) instead of being sent again.
 *
 * yoga renders GraphiQL in its own onRequest hook; this replaces that
 * response in onResponse, the only place a plugin sees it.
 */
export function useCompressedGraphiQL(html: string): Plugin {
  const raw = Buffer.from(html);
  const hash = createHash('sha256').update(raw).digest('base64url').slice(0, 27);
  // Brotli 9 rather than 11: a tenth of the time (0.5 s vs 9 s here) for 8 % more bytes.
  const compressed = Promise.all([
    brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
    gz(raw, { level: 9 }),
  ]).then(([br, gzip]) => ({ br, gzip }));
  // Nobody may be waiting yet; a failure is reported to the first request instead.
  compressed.catch(() => {});

  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      const encoding = pickEncoding(request.headers.get('accept-encoding'));
      const headers: Record<string, string> = {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        // One validator per representation (RFC 9110 §8.8.3).
        etag: encoding ? `"${hash}-${encoding}"` : `"${hash}"`,
        vary: 'Accept-Encoding',
      };
      if (request.headers.get('if-none-match') === headers.etag) {
        return setResponse(new fetchAPI.Response(null, { status: 304, headers }));
      }
      const body = encoding ? (await compressed)[encoding] : raw;
      if (encoding) headers['content-encoding'] = encoding;
      headers['content-length'] = String(body.length);
      setResponse(new fetchAPI.Response(body, { status: 200, headers }));
    },
  };
}
