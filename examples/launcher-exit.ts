/** @module Stops the demo when the command that launched it goes away: `npx pnpm demo` runs node three processes below npx, and a signal to npx alone (a process manager, `kill`, a closed terminal tab) does not reach it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** At most this many launchers are watched (npx, pnpm, sh and a few above them). */
const MAX_DEPTH = 8;

/** The parent of `pid`, and whether `pid` is a zombie (exited, not yet reaped), or undefined if it is gone. */
function inspect(pid: number): { parent: number; zombie: boolean } | undefined {
  try {
    if (process.platform === 'linux') {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { parent: Number(parent), zombie: state === 'Z' || state === 'X' };
    }
    const [parent, state] = execFileSync('ps', ['-o', 'ppid=,stat=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    return parent === undefined || parent === '' ? undefined : { parent: Number(parent), zombie: state?.startsWith('Z') === true };
  } catch {
    return undefined;
  }
}

/** The processes above this one, nearest first, up to (not including) pid 1. */
function launchers(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  while (pid > 1 && chain.length < MAX_DEPTH) {
    chain.push(pid);
    const up = inspect(pid);
    if (up === undefined) break;
    pid = up.parent;
  }
  return chain;
}

function alive(pid: number): boolean {
  if (process.platform === 'linux') {
    const info = inspect(pid);
    return info !== undefined && !info.zombie;
  }
  // Elsewhere `ps` would be a process per check: existence only (signal 0 delivers nothing).
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `stop` once when this process is orphaned or any process that launched it exits. A check
 * every `everyMs` (no OS offers a portable "parent died" event to node); the timer never keeps
 * the process alive. Returns a function that stops watching.
 */
export function onLauncherExit(stop: () => void, everyMs = 250): () => void {
  const parent = process.ppid;
  const chain = launchers();
  const timer = setInterval(() => {
    if (process.ppid === parent && chain.every(alive)) return;
    clearInterval(timer);
    stop();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
