import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickEncoding } from '../../api/plugins/compressed-graphiql.js';
import { ensureWebBuild, WEB_DIST } from '../e2e/web-build.js';
import { startGateway } from '../helpers/gateway.js';

type Gateway = Awaited<ReturnType<typeof startGateway>>;

interface Wire {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Bytes of the body as sent, before any decoding. */
  bytes: number;
}

/** A GET through node:http, which (unlike fetch) neither adds Accept-Encoding nor decodes the body. */
function get(url: string, headers: Record<string, string>): Promise<Wire> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes }));
      })
      .on('error', reject);
  });
}

const HTML = { accept: 'text/html' };

describe('compressed responses', () => {
  let gateway: Gateway;
  let script: string;
  beforeAll(async () => {
    ensureWebBuild();
    script = `/assets/${readdirSync(join(WEB_DIST, 'assets')).find((name) => name.endsWith('.js'))}`;
    gateway = await startGateway({ WEB_ROOT: WEB_DIST });
  }, 120_000);
  afterAll(() => gateway?.stop());

  it('sends GraphiQL as brotli or gzip, a quarter of its size or less, revalidated by ETag', async () => {
    const url = gateway.graphqlUrl;
    const identity = await get(url, { ...HTML, 'accept-encoding': 'identity' });
    const br = await get(url, { ...HTML, 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await get(url, { ...HTML, 'accept-encoding': 'gzip' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', vary: 'Accept-Encoding', 'cache-control': 'no-cache' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.bytes).toBeLessThan(identity.bytes / 4);
    expect(gzip.bytes).toBeLessThan(identity.bytes / 3);
    console.info(`GraphiQL /graphql on the wire: ${identity.bytes} B identity, ${gzip.bytes} B gzip, ${br.bytes} B br`);

    const again = await get(url, { ...HTML, 'accept-encoding': 'br', 'if-none-match': br.headers.etag! });
    expect(again).toMatchObject({ status: 304, bytes: 0 });
    expect(gzip.headers.etag).not.toBe(br.headers.etag);
  });

  it('sends the web client precompressed, HTML revalidated and hashed assets immutable', async () => {
    const identity = await get(`${gateway.url}/`, { 'accept-encoding': 'identity' });
    const br = await get(`${gateway.url}/`, { 'accept-encoding': 'gzip, br' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', vary: 'Accept-Encoding', 'cache-control': 'no-cache' });
    expect(br.bytes).toBeLessThan(identity.bytes);
    const revalidated = await get(`${gateway.url}/`, { 'accept-encoding': 'gzip, br', 'if-none-match': br.headers.etag! });
    expect(revalidated.status).toBe(304);

    const js = await get(`${gateway.url}${script}`, { 'accept-encoding': 'identity' });
    const jsBr = await get(`${gateway.url}${script}`, { 'accept-encoding': 'br' });
    const jsGzip = await get(`${gateway.url}${script}`, { 'accept-encoding': 'gzip' });
    expect(jsBr.headers).toMatchObject({ 'content-encoding': 'br', 'cache-control': 'public, max-age=31536000, immutable' });
    expect(jsGzip.headers['content-encoding']).toBe('gzip');
    expect(jsBr.bytes).toBeLessThan(js.bytes / 3);
    console.info(`web client ${script}: ${js.bytes} B identity, ${jsGzip.bytes} B gzip, ${jsBr.bytes} B br`);
  });
});

describe('pickEncoding', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('*')).toBe('gzip');
    expect(pickEncoding('identity')).toBeUndefined();
    expect(pickEncoding(null)).toBeUndefined();
  });
});
