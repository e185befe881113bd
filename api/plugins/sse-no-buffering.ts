import type { Plugin } from 'graphql-yoga';

/**
 * Yoga's SSE responses say `Cache-Control: no-cache` but nothing a reverse
 * proxy reads as "do not buffer", so nginx (proxy_buffering on by default)
 * would hold a stream's first chunks back. `X-Accel-Buffering: no` turns
 * buffering off for that response only.
 * https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering
 */
export function useSseNoBuffering(): Plugin {
  return {
    onResponse({ response }) {
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        response.headers.set('X-Accel-Buffering', 'no');
      }
    },
  };
}
