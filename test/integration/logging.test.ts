import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, logFormatFromEnv } from '../../api/logger.js';
import { startMain } from '../helpers/main-process.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/**
 * The AWS SDK warns on stderr, once per process, that its 2027 releases need
 * Node 22; only that warning is tolerated, and only on older Node versions.
 */
const SDK_NODE_WARNING = /\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/;
const OLD_NODE = Number(process.versions.node.split('.')[0]) < 22;

/** Every line a process printed, parsed as JSON (throws on a line that is not). */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return (OLD_NODE ? output.replace(SDK_NODE_WARNING, '') : output)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

describe('server logs', () => {
  it('logs an oversized WebSocket frame as one JSON line, with no stack trace on stderr', async () => {
    const main = await startMain({ LOCAL_MODEL_PACE_MS: '0', MAX_REQUEST_BYTES: '100000' });
    children.push(main.child);
    const socket = new WebSocket(`${main.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await once(socket, 'message');
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }', variables: { x: 'A'.repeat(200_000) } } }));
    const [code] = await once(socket, 'close');
    expect(code).toBe(1009);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const output = main.output();
    expect(output).not.toMatch(/Internal error emitted/);
    expect(output).not.toMatch(/^\s+at /m);
    const lines = jsonLines(output);
    expect(lines.filter((l) => /protocol error/.test(String(l.msg)))).toEqual([
      expect.objectContaining({ level: 40, error: 'Max payload size exceeded', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }),
    ]);
  });

  it('names the web client and GraphiQL URLs and says OPEN ACCESS at startup', async () => {
    const main = await startMain({ LOCAL_MODEL_PACE_MS: '0', WEB_ROOT: 'test' });
    children.push(main.child);
    const messages = jsonLines(main.output()).map((l) => String(l.msg));
    expect(messages).toContain(`Web client on ${main.url}/`);
    expect(messages).toContain(`GraphQL (HTTP, SSE, WebSocket) and GraphiQL on ${main.url}/graphql`);
    expect(messages.some((m) => m.startsWith('OPEN ACCESS: no API_KEYS configured'))).toBe(true);
  });

  it('prints readable lines with LOG_FORMAT=pretty', async () => {
    const main = await startMain({ LOCAL_MODEL_PACE_MS: '0', LOG_FORMAT: 'pretty' });
    children.push(main.child);
    const lines = main.output().split('\n').filter(Boolean);
    expect(lines.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: OPEN ACCESS/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
  });
});

describe('LOG_FORMAT', () => {
  it('defaults to pretty on a terminal in development and JSON otherwise', () => {
    expect(logFormatFromEnv({}, true)).toBe('pretty');
    expect(logFormatFromEnv({}, false)).toBe('json');
    expect(logFormatFromEnv({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormatFromEnv({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFromEnv({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('refuses an unknown value', () => {
    expect(() => logFormatFromEnv({ LOG_FORMAT: 'xml' }, false)).toThrow('LOG_FORMAT must be one of pretty, json (got "xml").');
  });

  it('writes one line per entry in either format', () => {
    for (const format of ['pretty', 'json'] as const) {
      const destination = new PassThrough();
      let written = '';
      destination.on('data', (chunk) => (written += chunk));
      createLogger({ format, destination }).info({ a: 1 }, 'hello');
      expect(written.trim().split('\n')).toHaveLength(1);
      expect(written).toContain('hello');
    }
  });
});
