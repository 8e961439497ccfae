/** @module A/B of proxy servers on one pinned core: CPU per request and p99 of each against the first, round by round, to tell a 2% change from the machine's noise. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { backendConf, startNginx } from './lib/nginx.js';
import { groupCpuMs, start, stopAll, waitForPort, type Running } from './lib/proc.js';
import { wrk } from './lib/wrk.js';
import { ensureTools } from './lib/tools.js';

/*
 * Usage: node --import tsx bench/ab.ts name=path/to/server.mjs name2=other/checkout/bench/servers/x.mjs ...
 * Each server is a bench/servers script (it reads BENCH_PORT and BENCH_UPSTREAMS); a script in another
 * checkout (`git worktree add ../base HEAD~1`, built there) resolves that checkout's packages, so a
 * change is measured against its base in one run. AB_ROUNDS (default 8) rounds of AB_DURATION seconds
 * (default 5) per server, in a rotating order; the figure to read is the median of the per-round ratios.
 * Every round starts each server afresh (and warms it up): what V8's JIT makes of a process varies
 * from one start to the next by several percent, so one process per server for all rounds would
 * carry that luck into every round (seen: 0.89x in one run, 1.05x in the next, same builds).
 */
const ROUNDS = Number(process.env.AB_ROUNDS ?? 8);
const DURATION_S = Number(process.env.AB_DURATION ?? 5);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 50);
const WARMUP_S = Number(process.env.AB_WARMUP ?? 3);
const PORT_BASE = Number(process.env.AB_PORT_BASE ?? 18600);
const PROXY_CORE = 0;
const LOAD_CORE = 1;

const servers = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`expected name=path/to/server.mjs, got ${arg}`);
  return { name: arg.slice(0, eq), script: resolve(arg.slice(eq + 1)) };
});
if (servers.length < 2) throw new Error('give at least two servers: name=path/to/server.mjs ...');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  ensureTools();
  const tmp = mkdtempSync(join(tmpdir(), 'switchyard-ab-'));
  try {
    const backendPorts = [1, 2, 3].map((i) => PORT_BASE + i);
    for (const [i, port] of backendPorts.entries()) {
      await startNginx(join(tmp, 'backends'), `backend${i + 1}`, backendConf(join(tmp, 'backends'), i + 1, port), port, LOAD_CORE);
    }
    const upstreams = backendPorts.map((p) => `http://127.0.0.1:${p}`).join(',');
    const live = servers.map((s, i) => ({ ...s, port: PORT_BASE + 10 + i, cpu: [] as number[], p99: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate who goes first, so a drift in the machine's load does not favour one server.
      for (let k = 0; k < live.length; k++) {
        const entry = live[(round + k) % live.length] as (typeof live)[number];
        const url = `http://127.0.0.1:${entry.port}/`;
        const proc: Running = start(entry.name, PROXY_CORE, process.execPath, [entry.script], {
          env: { ...process.env, NODE_ENV: 'production', BENCH_PORT: String(entry.port), BENCH_UPSTREAMS: upstreams },
          logFile: join(tmp, `${entry.name}.log`),
        });
        try {
          await waitForPort(entry.port, proc);
          // JIT warm-up outside the measured window.
          await wrk({ url, core: LOAD_CORE, connections: CONNECTIONS, durationS: WARMUP_S });
          const cpu0 = groupCpuMs(proc.pid);
          const r = await wrk({ url, core: LOAD_CORE, connections: CONNECTIONS, durationS: DURATION_S });
          entry.cpu.push(((groupCpuMs(proc.pid) - cpu0) * 1000) / Math.max(1, r.requests));
          entry.p99.push(r.p99);
        } finally {
          await proc.stop();
        }
      }
      const base = live[0] as (typeof live)[number];
      console.log(
        `round ${round + 1}/${ROUNDS}: ` +
          live
            .map((e) => `${e.name} ${(e.cpu[round] as number).toFixed(1)} µs (${((e.cpu[round] as number) / (base.cpu[round] as number)).toFixed(3)}x)`)
            .join(', '),
      );
    }
    const base = live[0] as (typeof live)[number];
    console.log('\nserver | median CPU µs/req | median ratio to first (min–max) | median p99 ms | median p99 ratio');
    for (const e of live) {
      const ratios = e.cpu.map((c, i) => c / (base.cpu[i] as number));
      const p99r = e.p99.map((p, i) => p / (base.p99[i] as number));
      console.log(
        `${e.name} | ${median(e.cpu).toFixed(1)} | ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) | ${median(e.p99).toFixed(2)} | ${median(p99r).toFixed(3)}`,
      );
    }
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
