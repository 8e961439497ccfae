/** @module Micro-benchmark of pick + release for every strategy at 3, 100 and 1000 servers (run: pnpm bench:core). */
import { performance } from 'node:perf_hooks';
import { createPool } from '../packages/core/src/balancer/index.js';
import type { PoolEnv } from '../packages/core/src/internal.js';
import type { BalanceStrategyName, Outcome, PickContext, ResolvedUpstream } from '../packages/core/src/types.js';
import { runScaleCases } from './lib/scale-cases.js';

interface Case {
  label: string;
  balance: BalanceStrategyName;
  consistent?: boolean;
  contexts(n: number): PickContext[];
}

const keys = (n: number): PickContext[] => Array.from({ length: n }, (_, i) => ({ key: `/api/users/${i}?session=${(i * 7919) % 1000}` }));
const ips = (n: number): PickContext[] => Array.from({ length: n }, (_, i) => ({ clientIp: `10.${(i >> 8) & 255}.${i & 255}.${(i * 31) & 255}` }));
const none = (n: number): PickContext[] => Array.from({ length: n }, () => ({}));

const CASES: Case[] = [
  { label: 'round-robin', balance: 'round-robin', contexts: none },
  { label: 'least-conn', balance: 'least-conn', contexts: none },
  { label: 'least-time', balance: 'least-time', contexts: none },
  { label: 'random', balance: 'random', contexts: none },
  { label: 'random-two', balance: 'random-two', contexts: none },
  { label: 'ip-hash', balance: 'ip-hash', contexts: ips },
  { label: 'hash', balance: 'hash', contexts: keys },
  { label: 'hash consistent', balance: 'hash', consistent: true, contexts: keys },
];
// BENCH_SIZES=3,50,100,200,500,1000 for the large-pool crossover; BENCH_STRATEGIES=round-robin,random-two to pick rows.
const SIZES = (process.env.BENCH_SIZES ?? '3,100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const ONLY = (process.env.BENCH_STRATEGIES ?? '').split(',').filter(Boolean);
const MEASURE_MS = Number(process.env.BENCH_MS ?? 300);

function config(c: Case, size: number): ResolvedUpstream {
  return {
    name: 'bench',
    balance: c.balance,
    hash: c.balance === 'hash' ? { key: (req) => req.url, source: '$request_uri', consistent: c.consistent === true } : undefined,
    servers: Array.from({ length: size }, (_, i) => ({
      url: `http://10.0.${i >> 8}.${i & 255}:8080`,
      weight: 1 + (i % 3),
      maxFails: 1,
      failTimeoutMs: 10_000,
      backup: false,
      down: false,
      drain: false,
      maxConns: 0,
      slowStartMs: 0,
    })),
    retry: { onError: true, onTimeout: true, onInvalidHeader: false, onStatus: new Set([502]), tries: 0, timeoutMs: 0, nonIdempotent: false, budget: false },
    timeouts: { connectMs: 0, readMs: 0, sendMs: 0 },
    keepalive: 32,
    healthCheck: undefined,
  };
}

const env: PoolEnv = { now: () => performance.now(), random: Math.random, emit: () => {}, listening: () => false };
const OK: Outcome = { status: 200, headerMs: 2, totalMs: 3 };

function run(c: Case, size: number): number {
  const pool = createPool(config(c, size), env);
  const contexts = c.contexts(1024);
  let i = 0;
  const batch = (n: number): void => {
    for (let k = 0; k < n; k++) {
      const pick = pool.pick(contexts[i++ & 1023]);
      pick?.release(OK);
    }
  };
  batch(20_000); // warm up
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    batch(5_000);
    ops += 5_000;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1e6) / ops;
}

const rows: string[][] = [['strategy', ...SIZES.map((s) => `${s} servers`)]];
for (const c of CASES.filter((x) => ONLY.length === 0 || ONLY.includes(x.label))) {
  const cells = [c.label];
  for (const size of SIZES) {
    const ns = run(c, size);
    cells.push(`${ns.toFixed(0).padStart(6)} ns/op ${(1e9 / ns / 1e6).toFixed(2).padStart(6)} M/s`);
  }
  rows.push(cells);
}
const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
for (const r of rows) console.log(r.map((cell, col) => cell.padEnd(widths[col]!)).join('  |  '));
console.log(`\npick + release({ status: 200 }) per op; node ${process.version}; ${MEASURE_MS} ms per cell`);

if (ONLY.length === 0) runScaleCases();
// Dynamic pools (issue 11): one DNS/discover update of a 1,000-server list whose difference is one
// address (one leaves, one joins), applied as a diff: survivors untouched, one reindex.
// (skipped when BENCH_STRATEGIES picks strategies)
if (ONLY.length === 0) {
  const { DynamicUpstream } = await import('../packages/core/src/discovery/dynamic-upstream.js');
  const { addressServer } = await import('../packages/core/src/discovery/name-watch.js');
  const size = 1000;
  const template = config(CASES[0]!, 1).servers[0]!;
  // Built as the DNS watcher builds each address of an answer.
  const server = (i: number) => addressServer(template, `http://10.1.${i >> 8}.${i & 255}:8080`, 1, false, 'api.internal', 'api.internal:8080');
  // Fresh objects for every update, as each DNS answer brings: A, B, A', B' in turn (never the objects the pool holds).
  const listA = (): ReturnType<typeof server>[] => Array.from({ length: size }, (_, i) => server(i));
  const listB = (): ReturnType<typeof server>[] => [...Array.from({ length: size - 1 }, (_, i) => server(i + 1)), server(size)];
  const lists = [listA(), listB(), listA(), listB()];
  const health = { watch() {}, unwatch() {}, async stop() {} };
  for (const balance of ['round-robin', 'least-conn', 'hash consistent'] as const) {
    const c = CASES.find((x) => x.label === balance)!;
    const pool = createPool({ ...config(c, 0), servers: [] }, env);
    const sync = new DynamicUpstream('bench', pool, health);
    sync.register('dns', 'dns');
    sync.set('dns', listA());
    let n = 0;
    const apply = (): void => {
      n++;
      sync.set('dns', lists[n % lists.length]!);
    };
    for (let i = 0; i < 200; i++) apply(); // warm up
    // A consistent-hash ring is rebuilt on every membership change (as nginx does): fewer rounds.
    const rounds = balance === 'hash consistent' ? 20 : 2000;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) apply();
    const cpu = process.cpuUsage(cpu0);
    const us = ((performance.now() - start) * 1000) / rounds;
    if (pool.servers().length !== size) throw new Error('diff bench: wrong pool size');
    console.log(
      `apply a ${size}-server update whose diff is one address (${balance}): ${us.toFixed(1)} µs wall, ${((cpu.user + cpu.system) / rounds).toFixed(1)} µs CPU`,
    );
  }
}
