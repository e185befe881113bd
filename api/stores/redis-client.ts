import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisClientOptions {
  /** Give up connecting (at start and on each reconnect attempt) after this long. @default 2000 */
  connectTimeoutMs?: number;
  /** Fail a command that has had no answer for this long. @default 1000 */
  commandTimeoutMs?: number;
}

/**
 * An ioredis client that fails fast instead of waiting: no offline queue (a
 * command sent while disconnected fails at once), a connect and a command
 * timeout, and no retries of a failed command. It reconnects by itself in the
 * background, so requests succeed again as soon as Redis is back.
 * Resolves once connected; rejects with a clear message when Redis cannot be
 * reached at start.
 */
export async function connectRedis(url: string, logger: Logger, options: RedisClientOptions = {}): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    maxRetriesPerRequest: 0,
    // Keep trying to reconnect, at most every 2 s.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  let lastState = '';
  const note = (state: string, err?: unknown) => {
    if (state === lastState) return; // one log line per change, not one per retry
    lastState = state;
    (state === 'ready' ? logger.info.bind(logger) : logger.warn.bind(logger))({ store: 'redis', state, err }, `redis ${state}`);
  };
  client.on('ready', () => note('ready'));
  client.on('error', (err) => note('error', err));
  client.on('end', () => note('end'));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`Cannot reach Redis at ${redactUrl(url)}: ${(error as Error).message}. Start Redis or fix REDIS_URL.`);
  }
  return client;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL (unparseable)';
  }
}
