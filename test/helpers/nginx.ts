import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, requireBinary } from './redis.js';

export interface Nginx {
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** The master's process id (its worker is a child of it). */
  readonly pid: number;
  /** Access log lines as `{ status, upstream, uri }`, `upstream` being the gateway that answered. */
  accessLog(): { status: number; upstream: string; uri: string }[];
  dispose(): Promise<void>;
}

/** deploy/nginx.conf of this checkout, found from here whether run as source or compiled (bench-results/build/...). */
function deployConf(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'deploy', 'nginx.conf');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('deploy/nginx.conf not found above ' + fileURLToPath(import.meta.url));
}

/**
 * deploy/nginx.conf (the README's load balancer: round robin, WebSocket
 * upgrade, default proxy buffering) with the test's gateways and port, inside
 * a main config that keeps pid, logs and temp files in `dir`.
 */
export function nginxConfig(dir: string, port: number, upstreams: string[]): string {
  const deployed = readFileSync(deployConf(), 'utf8');
  const servers = deployed.match(/^ *server gateway-\d+:\d+;\n/gm);
  if (!servers || !/listen 80;/.test(deployed)) throw new Error('deploy/nginx.conf no longer has the gateway servers and `listen 80;` this helper replaces');
  const site = deployed
    .replace(servers.join(''), upstreams.map((address) => `  server ${address};\n`).join(''))
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
  writeFileSync(join(dir, 'site.conf'), site);
  return `daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
# Each proxied stream holds two connections (client and gateway); the default 1024 caps it at ~500.
worker_rlimit_nofile 20000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  log_format upstreams '$status $upstream_addr $request_uri';
  access_log ${dir}/access.log upstreams;
  include ${dir}/site.conf;
}
`;
}

/** nginx from Debian in the foreground, with its config, pid, logs and temp files in a temp folder. */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const binary = requireBinary('nginx', 'nginx');
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, upstreams));
  let output = '';
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (data) => (output += data));
  child.stderr!.on('data', (data) => (output += data));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output}\n${readLog(join(dir, 'error.log'))}`);
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (attempt > 100) throw new Error(`nginx did not answer:\n${output}`);
      await sleep(50);
    }
  }
  return {
    url,
    pid: child.pid!,
    accessLog: () =>
      readLog(join(dir, 'access.log'))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [status, upstream, uri] = line.split(' ');
          return { status: Number(status), upstream: upstream!, uri: uri! };
        }),
    async dispose() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM'); // nginx: fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
