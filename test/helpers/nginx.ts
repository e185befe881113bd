import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, requireBinary } from './redis.js';

export interface Nginx {
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** Access log lines as `{ status, upstream, uri }`, `upstream` being the gateway that answered. */
  accessLog(): { status: number; upstream: string; uri: string }[];
  dispose(): Promise<void>;
}

/**
 * The load balancer config the tests run, and deploy/nginx.conf in the
 * README mirrors: round robin over the gateways, WebSocket upgrade, default
 * proxy buffering (SSE relies on the gateway's X-Accel-Buffering: no).
 */
export function nginxConfig(dir: string, port: number, upstreams: string[]): string {
  return `daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  log_format upstreams '$status $upstream_addr $request_uri';
  access_log ${dir}/access.log upstreams;
  client_max_body_size 30m;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }
  upstream gateways {
${upstreams.map((address) => `    server ${address};`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
    }
  }
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
