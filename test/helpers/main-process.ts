import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MainProcess {
  child: ChildProcess;
  url: string;
  output(): string;
}

/**
 * Runs api/main.ts as `npm start` would, with only the environment given (no
 * AWS variables leak in from the test's own environment), and waits for its URL.
 */
export async function startMain(env: Record<string, string>): Promise<MainProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { PATH: process.env.PATH!, HOME: mkdtempSync(join(tmpdir(), 'home-')), PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (data) => (output += data));
  child.stderr!.on('data', (data) => (output += data));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /on (http:\/\/[^ ]+)\/graphql/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`main exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}
