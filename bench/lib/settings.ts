/** @module Benchmark settings, all from environment variables so a quick smoke run needs no code change. */
import { availableParallelism } from 'node:os';

function num(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
}
function list(name: string, dflt: readonly string[]): string[] {
  const v = process.env[name];
  if (v === undefined) return [...dflt];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export type Phase = 'install' | 'build' | 'checks' | 'rounds' | 'failover' | 'hang' | 'memory' | 'profile' | 'cluster';

export interface Settings {
  durationS: number;
  rounds: number;
  connections: number;
  warmupS: number;
  only: string[];
  skip: Set<Phase>;
  portBase: number;
  proxyCore: number | null;
  loadCore: number | null;
  nginxKeepalive: number;
  /** Run switchyard from its TypeScript sources through tsx instead of the built dist. */
  source: boolean;
  failover: { candidates: string[]; durationS: number; killAtS: number };
  /** Backend 2 accepts and never answers for the whole load; each candidate runs fresh with this read timeout. */
  hang: { candidates: string[]; durationS: number; readTimeoutMs: number };
  memory: { candidates: string[]; checkpoints: number[] };
  profile: { candidates: string[]; durationS: number };
  /** Rows of bench/lib/cluster-rows.ts (ids such as `switchyard-fastify-2w`); empty = all. */
  cluster: { candidates: string[] };
  outDir: string;
  /** Short or single-round runs are noisy: their figures are marked as smoke. */
  smoke: boolean;
}

export function readSettings(root: string): Settings {
  const cores = availableParallelism();
  const pinned = cores >= 2;
  const durationS = num('BENCH_DURATION', 10);
  const rounds = Math.max(1, Math.floor(num('BENCH_ROUNDS', 3)));
  return {
    durationS,
    rounds,
    connections: num('BENCH_CONNECTIONS', 50),
    warmupS: num('BENCH_WARMUP', 2),
    only: list('BENCH_ONLY', []),
    skip: new Set(list('BENCH_SKIP', []) as Phase[]),
    portBase: num('BENCH_PORT_BASE', 18400),
    proxyCore: pinned ? num('BENCH_PROXY_CORE', 0) : null,
    loadCore: pinned ? num('BENCH_LOAD_CORE', 1) : null,
    nginxKeepalive: num('BENCH_NGINX_KEEPALIVE', 32),
    source: process.env.BENCH_SOURCE === '1',
    failover: {
      candidates: list('BENCH_FAILOVER_CANDIDATES', ['nginx', 'switchyard-fastify', 'switchyard-express']),
      durationS: num('BENCH_FAILOVER_DURATION', 10),
      killAtS: num('BENCH_FAILOVER_KILL_AT', 4),
    },
    hang: {
      candidates: list('BENCH_HANG_CANDIDATES', ['nginx', 'switchyard-fastify', 'switchyard-express']),
      durationS: num('BENCH_HANG_DURATION', 10),
      readTimeoutMs: num('BENCH_HANG_READ_TIMEOUT_MS', 1000),
    },
    memory: {
      candidates: list('BENCH_MEMORY_CANDIDATES', ['switchyard-fastify', 'switchyard-express']),
      checkpoints: list('BENCH_MEMORY_REQUESTS', ['100000', '1000000'])
        .map(Number)
        .sort((a, b) => a - b),
    },
    profile: {
      candidates: list('BENCH_PROFILE_CANDIDATES', ['switchyard-fastify', 'reply-from-array', 'switchyard-express', 'express-http-proxy']),
      durationS: num('BENCH_PROFILE_DURATION', 10),
    },
    cluster: { candidates: list('BENCH_CLUSTER_CANDIDATES', []) },
    outDir: process.env.BENCH_OUT ?? `${root}/bench/results`,
    smoke: durationS < 10 || rounds < 3 || process.env.BENCH_SMOKE === '1',
  };
}
