import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A message from parent to child: a command with its arguments. */
interface Call {
  id: number;
  cmd: string;
  args?: unknown;
}
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

type Handlers = Record<string, (args: any) => unknown>;

/** Child side: answers the parent's calls and says it is ready. */
export function serveParent(handlers: Handlers, ready: Record<string, unknown>): void {
  process.on('message', (message: Call) => {
    void (async () => {
      try {
        const handler = handlers[message.cmd];
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        process.send!({ id: message.id, result: await handler(message.args) } satisfies Reply);
      } catch (error) {
        process.send!({ id: message.id, error: String((error as Error)?.stack ?? error) } satisfies Reply);
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ id: 0, result: ready } satisfies Reply);
}

/** Parent side: a benchmark process (tsx, advanced IPC serialisation) and calls into it. */
export class Child {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<Record<string, any>>;
  private exited = false;

  private constructor(readonly name: string, readonly process: ChildProcess) {
    let onReady!: (value: Record<string, any>) => void;
    let onFail!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => ((onReady = resolve), (onFail = reject)));
    process.on('message', (reply: Reply) => {
      if (reply.id === 0) return onReady(reply.result as Record<string, any>);
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`${name}: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    process.on('error', (error) => console.error(`${name}: ${error.message}`));
    process.once('exit', (code, signal) => {
      this.exited = true;
      const error = new Error(`${name} exited (${signal ?? code})`);
      onFail(error);
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    });
  }

  static start(name: string, script: string, options: { env?: Record<string, string>; execArgv?: string[] } = {}): Child {
    // Compiled (npm run bench), the children run as plain JavaScript, as `npm start` runs the
    // gateway; from the TypeScript sources (tsx bench/run.ts), through tsx.
    const compiled = import.meta.url.endsWith('.js');
    const path = fileURLToPath(new URL(`../processes/${script}${compiled ? '.js' : '.ts'}`, import.meta.url));
    const child = fork(path, [], {
      execArgv: [...(compiled ? [] : ['--import', 'tsx']), '--expose-gc', ...(options.execArgv ?? [])],
      env: { ...process.env, ...options.env },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child(name, child);
  }

  get pid(): number {
    return this.process.pid!;
  }

  call<T = any>(cmd: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.exited || !this.process.connected) return reject(new Error(`${this.name} is not running`));
      this.waiting.set(id, { resolve, reject });
      this.process.send({ id, cmd, args } satisfies Call, (error) => {
        if (!error) return;
        this.waiting.delete(id);
        reject(error);
      });
    });
  }

  /** Asks the child to exit (it closes its servers first); kills it after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.call('exit').catch(() => {});
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** CPU time (user + system) of a process so far, in ms, from /proc (10 ms resolution). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** Resident set size of a process, in bytes, from /proc. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/** This process's CPU time so far, in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
