import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  /**
   * `pretty`: one readable line per entry (pino-pretty); `json`: one JSON object per line.
   * @default `pretty` when stdout is a terminal and NODE_ENV is not `production`, else `json`
   */
  format?: LogFormat;
  /** @default 'info' */
  level?: string;
  /** @default process.stdout */
  destination?: NodeJS.WritableStream;
}

/** Reads LOG_FORMAT; an unknown value is refused rather than guessed. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv, isTty: boolean): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (!value) return isTty && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new Error(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (got "${env.LOG_FORMAT}").`);
}

/**
 * The server's logger. Pretty output is formatted in-process and written
 * synchronously, so a line logged just before process.exit() is not lost and
 * no worker thread is started for it.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = { name: 'bedrock-vision-gateway', level: options.level ?? 'info' };
  if (options.format === 'pretty') {
    const destination = options.destination ?? process.stdout;
    return pino(
      base,
      pretty({
        destination,
        sync: true,
        colorize: destination === process.stdout && process.stdout.isTTY,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,name',
        singleLine: true,
      }),
    );
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
