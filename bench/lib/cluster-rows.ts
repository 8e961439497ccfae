/** @module The scale-across-cores rows: one proxy worker against two node:cluster workers (and nginx with one and two workers), proxy and load generator sharing both cores. */
import { join } from 'node:path';
import { proxyConf, startNginx } from './nginx.js';
import { groupCpuMs, start, waitForPort, type Running } from './proc.js';
import { median } from './report.js';
import { wrk } from './wrk.js';

export interface ClusterRound {
  rps: number;
  p99: number;
  cpuUs?: number | undefined;
}

export interface ClusterRow {
  id: string;
  label: string;
  workers: number;
  rounds: ClusterRound[];
  error?: string;
}

interface ClusterCase {
  id: string;
  label: string;
  workers: number;
  /** A script of bench/servers run in `workers` node:cluster workers; undefined for nginx. */
  script?: string;
}

export const CLUSTER_CASES: readonly ClusterCase[] = [
  { id: 'nginx-1w', label: 'nginx, 1 worker', workers: 1 },
  { id: 'nginx-2w', label: 'nginx, 2 workers', workers: 2 },
  { id: 'switchyard-fastify-1w', label: 'Fastify + @switchyard/fastify, 1 worker', workers: 1, script: 'switchyard-fastify.mjs' },
  { id: 'switchyard-fastify-2w', label: 'Fastify + @switchyard/fastify, 2 cluster workers', workers: 2, script: 'switchyard-fastify.mjs' },
  { id: 'switchyard-express-1w', label: 'Express + @switchyard/express, 1 worker', workers: 1, script: 'switchyard-express.mjs' },
  { id: 'switchyard-express-2w', label: 'Express + @switchyard/express, 2 cluster workers', workers: 2, script: 'switchyard-express.mjs' },
];

export interface ClusterSettings {
  root: string;
  tmp: string;
  portBase: number;
  backendPorts: readonly number[];
  nginxKeepalive: number;
  connections: number;
  durationS: number;
  rounds: number;
  warmupS: number;
  only: readonly string[];
  log: (line: string) => void;
}

/**
 * Nothing is pinned here (proxy, its workers and wrk float over both cores; the backends stay on
 * their core), as a two-worker deployment on a two-core machine would run. wrk uses two threads.
 */
export async function runClusterRows(o: ClusterSettings): Promise<ClusterRow[]> {
  const cases = CLUSTER_CASES.filter((c) => o.only.length === 0 || o.only.includes(c.id));
  const rows: ClusterRow[] = cases.map((c) => ({ id: c.id, label: c.label, workers: c.workers, rounds: [] }));
  const live: Array<{ c: ClusterCase; row: ClusterRow; port: number; proc: Running }> = [];
  try {
    for (const [i, c] of cases.entries()) {
      const row = rows[i] as ClusterRow;
      const port = o.portBase + 90 + i;
      try {
        const proc = await startCase(o, c, port);
        await wrk({ url: `http://127.0.0.1:${port}/`, core: null, connections: o.connections, durationS: Math.max(1, o.warmupS), threads: 2 });
        live.push({ c, row, port, proc });
      } catch (e) {
        row.error = (e as Error).message.split('\n')[0] ?? 'failed';
        o.log(`cluster ${c.id} unavailable: ${row.error}`);
      }
    }
    for (let round = 1; round <= o.rounds; round++) {
      for (const { c, row, port, proc } of live) {
        const cpu0 = groupCpuMs(proc.pid);
        const r = await wrk({ url: `http://127.0.0.1:${port}/`, core: null, connections: o.connections, durationS: o.durationS, threads: 2 });
        const cpuUs = r.requests > 0 ? ((groupCpuMs(proc.pid) - cpu0) * 1000) / r.requests : undefined;
        row.rounds.push({ rps: r.rps, p99: r.p99, cpuUs });
        o.log(`cluster round ${round}/${o.rounds} ${c.id}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms, ${(cpuUs ?? NaN).toFixed(1)} µs CPU/req`);
      }
    }
  } finally {
    await Promise.all(live.map((l) => l.proc.stop()));
  }
  return rows;
}

async function startCase(o: ClusterSettings, c: ClusterCase, port: number): Promise<Running> {
  if (c.script === undefined) {
    const dir = join(o.tmp, `nginx-cluster-${port}`);
    const conf = proxyConf(dir, port, o.backendPorts, o.nginxKeepalive).replace('worker_processes 1;', `worker_processes ${c.workers};`);
    return startNginx(dir, `nginx-${c.workers}w`, conf, port, null);
  }
  const script = join(o.root, 'bench', 'servers', c.workers > 1 ? 'cluster.mjs' : c.script);
  const r = start(c.id, null, process.execPath, [script], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_PORT: String(port),
      BENCH_UPSTREAMS: o.backendPorts.map((p) => `http://127.0.0.1:${p}`).join(','),
      BENCH_WORKERS: String(c.workers),
      BENCH_CLUSTER_SCRIPT: c.script,
    },
    logFile: join(o.tmp, `${c.id}-${port}.log`),
    cwd: o.root,
  });
  await waitForPort(port, r);
  return r;
}

const fmt = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));

/** The markdown section: median req/s, p99 and CPU per request; 2 workers against 1, and against nginx with as many. */
export function clusterMarkdown(rows: readonly ClusterRow[], rounds: number, durationS: number, connections: number): string {
  const med = (row: ClusterRow | undefined, f: (r: ClusterRound) => number | undefined): number => {
    const xs = (row?.rounds ?? []).map(f).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return xs.length ? median(xs) : NaN;
  };
  const byId = new Map(rows.map((r) => [r.id, r]));
  const L: string[] = [
    `## Scale across cores (node:cluster)`,
    '',
    `Proxy (its workers) and \`wrk -t2 -c${connections} -d${durationS}s\` share both cores unpinned; backends stay on their core. ${rounds} interleaved round(s); CPU is the whole process group (primary and workers).`,
    '',
    '| candidate | workers | median req/s | min–max req/s | p99 ms | CPU µs/req | req/s vs 1 worker | CPU/req vs 1 worker | req/s vs nginx (same workers) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    if (row.error !== undefined || row.rounds.length === 0) {
      L.push(`| ${row.label} | ${row.workers} | unavailable: ${row.error ?? 'no rounds'} | | | | | | |`);
      continue;
    }
    const base = row.id.replace(/-\dw$/, '');
    const one = byId.get(`${base}-1w`);
    const nginx = byId.get(`nginx-${row.workers}w`);
    const rps = med(row, (r) => r.rps);
    const cpu = med(row, (r) => r.cpuUs);
    const rpsAll = row.rounds.map((r) => r.rps);
    const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
    L.push(
      `| ${row.label} | ${row.workers} | ${fmt(rps)} | ${fmt(Math.min(...rpsAll))}–${fmt(Math.max(...rpsAll))} | ${med(row, (r) => r.p99).toFixed(2)} | ${Number.isFinite(cpu) ? cpu.toFixed(1) : '-'} | ` +
        `${
          row.workers > 1
            ? ratio(
                rps,
                med(one, (r) => r.rps),
              )
            : '-'
        } | ${
          row.workers > 1
            ? ratio(
                cpu,
                med(one, (r) => r.cpuUs),
              )
            : '-'
        } | ${
          base === 'nginx'
            ? '-'
            : ratio(
                rps,
                med(nginx, (r) => r.rps),
              )
        } |`,
    );
  }
  return L.join('\n');
}
