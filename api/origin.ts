/**
 * Whether a browser Origin may open a WebSocket: no Origin (not a browser),
 * the server's own origin (same host), or one on the CORS allow-list.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowList: string[]): boolean {
  if (!origin) return true;
  if (allowList.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
