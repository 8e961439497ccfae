/** @module Child processes of the benchmark: pinned to a core, each in its own process group, all stopped on exit. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

export interface Running {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string | null>;
  readonly logFile: string;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const running = new Set<Running>();

/** Kills a whole process group: an nginx master and its worker die together. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only sure way then.
  process.on('exit', () => {
    for (const r of running) killGroup(r.pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping everything the benchmark started`);
      process.exit(130);
    });
  }
}

/**
 * Starts `cmd args` pinned to `core` with taskset (which execs, so the pid is the program's own),
 * in its own process group so that stopping it also stops anything it forked.
 */
export function start(
  name: string,
  core: number | null,
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string },
): Running {
  hookExit();
  const fd = openSync(opts.logFile, 'a');
  const argv = core === null ? [cmd, ...args] : ['taskset', '-c', String(core), cmd, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  const exited = new Promise<number | string | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal));
    child.on('error', () => resolve(null));
  });
  const r: Running = {
    name,
    pid,
    child,
    exited,
    logFile: opts.logFile,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, signal);
        } catch {
          // gone
        }
        const timer = new Promise<'late'>((res) => setTimeout(() => res('late'), graceMs).unref());
        if ((await Promise.race([exited, timer])) === 'late') killGroup(pid, 'SIGKILL');
        await exited;
      }
      killGroup(pid, 'SIGKILL'); // leftovers (an nginx worker whose master died)
      running.delete(r);
    },
  };
  running.add(r);
  // Forget it once gone, so a recycled pid is never signalled.
  void exited.then(() => running.delete(r));
  return r;
}

/** Stops every process still running, in parallel. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()));
}

export function isAlive(r: Running): boolean {
  return r.child.exitCode === null && r.child.signalCode === null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Waits (bounded) until the port accepts connections; throws with the log tail if the process died. */
export async function waitForPort(port: number, r?: Running, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    if (r && !isAlive(r)) throw new Error(`${r.name} exited before listening:\n${tail(r.logFile)}`);
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms${r ? `:\n${tail(r.logFile)}` : ''}`);
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** RSS and peak RSS in kB from /proc/PID/status. */
export function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const num = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: num('VmRSS'), hwmKb: num('VmHWM') };
}

/** Runs a command to completion and returns its trimmed stdout+stderr ('' if it is missing). */
export function output(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system, all threads) used so far by every process of a process group, in ms.
 * Unlike req/s it barely moves when other work shares the machine, so it is the steadier figure.
 */
export function groupCpuMs(pgid: number): number {
  clockTicks ??= Number(output('getconf', ['CLK_TCK'])) || 100;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after "pid (comm) ": state ppid pgrp ... utime (14th field) stime (15th).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / clockTicks;
}
