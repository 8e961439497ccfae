/** @module Runs wrk on the load core and parses its --latency summary. */
import { spawn } from 'node:child_process';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  /** Responses with a status >= 400 (wrk's "Non-2xx or 3xx" line). */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Responses by status code, when run with wrk/count-status.lua. */
  statuses: Record<string, number>;
  raw: string;
}

export interface WrkOptions {
  url: string;
  core: number | null;
  connections: number;
  durationS: number;
  threads?: number;
  timeoutS?: number;
  script?: string;
  scriptArgs?: readonly string[];
  /** SIGINT wrk (it then prints its summary) as soon as this line appears on its output. */
  stopOnLine?: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60000 };

function durationMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  if (!m) return NaN;
  return Number(m[1]) * (UNIT_MS[m[2] as string] ?? NaN);
}

export function parseWrk(raw: string): WrkResult {
  const pct = (p: string): number => durationMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(raw)?.[1]);
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(raw);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(raw);
  if (!done || !rps) throw new Error(`unexpected wrk output:\n${raw}`);
  return {
    requests: Number(done[1]),
    seconds: durationMs(`${done[2]}${done[3]}`) / 1000,
    rps: Number(rps[1]),
    p50: pct('50'),
    p90: pct('90'),
    p99: pct('99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(raw)?.[1] ?? 0),
    socketErrors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
    statuses: Object.fromEntries([...raw.matchAll(/^STATUS (\d+) (\d+)$/gm)].map((m) => [m[1] as string, Number(m[2])])),
    raw,
  };
}

export function failures(r: WrkResult): number {
  const s = r.socketErrors;
  return r.non2xx + s.connect + s.read + s.write + s.timeout;
}

/** Runs one wrk load to completion. */
export function wrk(o: WrkOptions): Promise<WrkResult> {
  const args = [`-t${o.threads ?? 1}`, `-c${o.connections}`, `-d${o.durationS}s`, `--timeout`, `${o.timeoutS ?? 2}s`, '--latency'];
  if (o.script) args.push('-s', o.script);
  args.push(o.url);
  if (o.scriptArgs) args.push('--', ...o.scriptArgs);
  const argv = o.core === null ? ['wrk', ...args] : ['taskset', '-c', String(o.core), 'wrk', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stopped = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (o.stopOnLine && !stopped && out.includes(o.stopOnLine)) {
        stopped = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}:\n${out}`));
      else {
        try {
          resolve(parseWrk(out));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}
