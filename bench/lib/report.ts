/** @module Turns the measurements into the results table (markdown + JSON): medians, spreads, ratios, targets. */
import type { ProfileSummary } from '../cpu-top.js';
import { formatProfile } from '../cpu-top.js';
import type { ClusterRow } from './cluster-rows.js';
import { CANDIDATES, peersOf } from './candidates.js';
import type { Reuse, Spread } from './checks.js';
import type { Settings } from './settings.js';
import type { Machine } from './tools.js';

export interface Round {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU time of the proxy's processes per request, in µs (undefined for the direct ceiling). */
  cpuUs?: number;
}

export interface CandidateResult {
  id: string;
  label: string;
  unavailable?: string;
  spread?: Spread;
  reuse?: Reuse;
  rounds: Round[];
}

export interface FailoverResult {
  id: string;
  requests: number;
  rps: number;
  non2xx: number;
  socketErrors: number;
  failed: number;
  statuses?: Record<string, number>;
  error?: string;
}

export interface MemoryResult {
  id: string;
  startKb: number;
  checkpoints: Array<{ requests: number; rssKb: number; hwmKb: number }>;
  error?: string;
}

export interface ProfileResult {
  id: string;
  file: string;
  requests: number;
  /** Process CPU time per request while profiling (the sampler itself adds a little). */
  cpuUs?: number;
  summary?: ProfileSummary;
  error?: string;
}

export interface Results {
  machine: Machine;
  settings: Omit<Settings, 'skip'> & { skip: string[] };
  candidates: CandidateResult[];
  failover: FailoverResult[];
  /** The hang scenario (absent in reports written before it existed). */
  hang?: FailoverResult[];
  memory: MemoryResult[];
  profiles: ProfileResult[];
  loadAverageAtEnd?: number[];
  /** One worker against two node:cluster workers (absent in reports written before it existed). */
  cluster?: ClusterRow[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface Row {
  id: string;
  label: string;
  rps: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  vsNginx: number;
  cpuUs?: number;
  bestPeer?: string;
  /** CPU per request relative to the best peer's (lower is better). */
  cpuVsBestPeer?: number;
  vsBestPeer?: number;
  p99VsBestPeer?: number;
}

export function rows(results: Results): Row[] {
  const byId = new Map(results.candidates.map((c) => [c.id, c]));
  const med = (id: string): Row | undefined => {
    const c = byId.get(id);
    if (!c || c.rounds.length === 0) return undefined;
    const rps = c.rounds.map((r) => r.rps);
    const cpu = c.rounds.map((r) => r.cpuUs).filter((v): v is number => v !== undefined);
    return {
      cpuUs: cpu.length ? median(cpu) : undefined,
      id,
      label: c.label,
      rps: median(rps),
      p50: median(c.rounds.map((r) => r.p50)),
      p99: median(c.rounds.map((r) => r.p99)),
      min: Math.min(...rps),
      max: Math.max(...rps),
      vsNginx: NaN,
    };
  };
  const nginx = med('nginx');
  const out: Row[] = [];
  for (const cand of CANDIDATES) {
    const row = med(cand.id);
    if (!row) continue;
    row.vsNginx = nginx ? row.rps / nginx.rps : NaN;
    const peers = peersOf(cand)
      .map(med)
      .filter((r): r is Row => r !== undefined)
      .sort((a, b) => b.rps - a.rps);
    const best = peers[0];
    if (best) {
      row.bestPeer = best.id;
      row.vsBestPeer = row.rps / best.rps;
      row.p99VsBestPeer = row.p99 / best.p99;
      if (row.cpuUs !== undefined && best.cpuUs !== undefined) row.cpuVsBestPeer = row.cpuUs / best.cpuUs;
    }
    out.push(row);
  }
  return out;
}

const k = (n: number): string => (n >= 10000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
const x = (n: number | undefined): string => (n !== undefined && Number.isFinite(n) ? `${n.toFixed(2)}x` : '-');
const mb = (kb: number): string => (kb / 1024).toFixed(1);

function ratioOf(results: Results, id: string, peer: string, field: 'rps' | 'p99'): number | undefined {
  const r = rows(results);
  const a = r.find((row) => row.id === id);
  const b = r.find((row) => row.id === peer);
  return a && b ? a[field] / b[field] : undefined;
}

/** Issue 7's targets with the measured value and whether it was met. */
export function targets(results: Results): Array<{ target: string; measured: string; met: boolean | undefined }> {
  const t: Array<{ target: string; measured: string; met: boolean | undefined }> = [];
  const ratio = (label: string, id: string, peer: string, field: 'rps' | 'p99', want: number, atMost = false) => {
    const v = ratioOf(results, id, peer, field);
    t.push({
      target: label,
      measured: v === undefined ? 'not measured' : `${v.toFixed(2)}x`,
      met: v === undefined ? undefined : atMost ? v <= want : v >= want,
    });
  };
  ratio('Fastify adapter req/s >= 1.0x reply-from base array', 'switchyard-fastify', 'reply-from-array', 'rps', 1.0);
  ratio('Fastify adapter p99 <= 1.2x reply-from base array', 'switchyard-fastify', 'reply-from-array', 'p99', 1.2, true);
  ratio('Fastify adapter req/s >= 1.1x @fastify/http-proxy', 'switchyard-fastify', 'fastify-http-proxy', 'rps', 1.1);
  ratio('Express adapter req/s >= 1.0x Express + http-proxy', 'switchyard-express', 'express-http-proxy', 'rps', 1.0);
  ratio('Express adapter req/s >= 1.1x http-proxy-middleware', 'switchyard-express', 'http-proxy-middleware', 'rps', 1.1);
  for (const [id, peer] of [
    ['switchyard-fastify', 'reply-from-array'],
    ['switchyard-express', 'express-http-proxy'],
  ] as const) {
    const a = rows(results).find((row) => row.id === id)?.cpuUs;
    const b = rows(results).find((row) => row.id === peer)?.cpuUs;
    t.push({
      target: `(steadier on a shared machine) ${id} CPU per request <= 1.0x ${peer}`,
      measured: a !== undefined && b !== undefined ? `${a.toFixed(1)} vs ${b.toFixed(1)} µs = ${(a / b).toFixed(2)}x` : 'not measured',
      met: a !== undefined && b !== undefined ? a <= b : undefined,
    });
  }
  for (const id of ['switchyard-fastify', 'switchyard-express']) {
    const f = results.failover.find((r) => r.id === id);
    t.push({
      target: `${id}: zero failed GETs when a backend dies`,
      measured: !f ? 'not measured' : f.error ? `error: ${f.error}` : `${f.failed} failed`,
      met: !f || f.error ? undefined : f.failed === 0,
    });
    const m = results.memory.find((r) => r.id === id);
    const first = m?.checkpoints[0];
    const last = m?.checkpoints[m.checkpoints.length - 1];
    const growth = first && last && last !== first ? (last.rssKb - first.rssKb) / 1024 : undefined;
    t.push({
      target: `${id}: RSS growth from ${first?.requests ?? '100k'} to ${last?.requests ?? '1M'} requests < 20 MB`,
      measured: growth === undefined ? (m?.error ? `error: ${m.error}` : 'not measured') : `${growth.toFixed(1)} MB`,
      met: growth === undefined ? undefined : growth < 20,
    });
  }
  const prof = results.profiles.find((p) => p.id === 'switchyard-fastify')?.summary;
  t.push({
    target: 'core work (self time of packages/core frames) < 2% of the Fastify adapter CPU time',
    measured: prof ? `${(prof.coreSelfShare * 100).toFixed(2)}% (inclusive ${(prof.coreInclusiveShare * 100).toFixed(2)}%)` : 'not measured',
    met: prof ? prof.coreSelfShare < 0.02 : undefined,
  });
  return t;
}

export function markdown(results: Results): string {
  const m = results.machine;
  const s = results.settings;
  const L: string[] = [];
  L.push(`# switchyard side-by-side benchmark${s.smoke ? ' (SMOKE: short or single-round run, figures are noisy)' : ''}`);
  L.push('');
  L.push(`${m.date} · commit ${m.commit} · ${m.nproc} cores, ${m.cpu} · Linux ${m.kernel} · Node ${m.node} · nginx ${m.nginx} · wrk ${m.wrk}`);
  L.push(`load average at start ${m.loadAverageAtStart.join(' ')}${results.loadAverageAtEnd ? `, at end ${results.loadAverageAtEnd.join(' ')}` : ''}`);
  L.push('');
  L.push(
    `Proxy on core ${s.proxyCore ?? '-'}, wrk and three one-worker nginx backends on core ${s.loadCore ?? '-'}; ` +
      `\`wrk -t1 -c${s.connections} -d${s.durationS}s --latency\`, ${s.rounds} interleaved round(s), ` +
      `switchyard from ${s.source ? 'sources (tsx)' : 'the built dist'}.`,
  );
  L.push('');
  L.push(
    '| candidate | median req/s | p50 ms | p99 ms | min–max req/s | vs nginx | vs best peer (req/s, p99) | proxy CPU µs/req (vs best peer) | spreads 1-2-3 | new upstream conns / 1k req (total, verdict) |',
  );
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|');
  const byId = new Map(results.candidates.map((c) => [c.id, c]));
  for (const r of rows(results)) {
    const c = byId.get(r.id);
    const order = c?.spread ? c.spread.bodies.map((b) => b.replace('Server ', '')).join('') : '';
    const spread = !c?.spread ? '-' : r.id === 'direct' ? `n/a (${order})` : `${c.spread.roundRobin ? 'yes' : '**NO**'} (${order})`;
    const reuse = c?.reuse ? `${c.reuse.perThousand.toFixed(2)} (${c.reuse.newConnections}, ${c.reuse.verdict})` : '-';
    const peer = r.bestPeer && r.bestPeer !== r.id ? `${x(r.vsBestPeer)}, ${x(r.p99VsBestPeer)} (${r.bestPeer})` : r.bestPeer ? 'best peer' : '-';
    const cpu = r.cpuUs === undefined ? '-' : `${r.cpuUs.toFixed(1)}${r.cpuVsBestPeer !== undefined && r.bestPeer !== r.id ? ` (${x(r.cpuVsBestPeer)})` : ''}`;
    L.push(
      `| ${r.label} | ${k(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${k(r.min)}–${k(r.max)} (${(((r.max - r.min) / r.rps) * 100).toFixed(0)}%) | ${x(r.vsNginx)} | ${peer} | ${cpu} | ${spread} | ${reuse} |`,
    );
  }
  for (const c of results.candidates.filter((c) => c.unavailable)) L.push(`| ${c.label} | unavailable: ${c.unavailable} |||||||||`);
  const failedRounds = results.candidates.filter((c) => c.rounds.some((r) => r.failed > 0));
  if (failedRounds.length) {
    L.push('');
    L.push(`Failed responses during timed rounds: ${failedRounds.map((c) => `${c.id} ${c.rounds.map((r) => r.failed).join('/')}`).join(', ')}.`);
  }
  if (results.failover.length) {
    L.push('');
    L.push(
      `## Failover: backend 2 killed ${s.failover.killAtS} s into a ${s.failover.durationS} s load`,
      '',
      '| candidate | requests | req/s | non-2xx | socket errors | failed | statuses |',
      '|---|---:|---:|---:|---:|---:|---|',
    );
    for (const f of results.failover) {
      L.push(
        f.error
          ? `| ${f.id} | error: ${f.error} |||||`
          : `| ${f.id} | ${f.requests} | ${k(f.rps)} | ${f.non2xx} | ${f.socketErrors} | **${f.failed}** | ${Object.entries(f.statuses ?? {})
              .map(([code, n]) => `${code}: ${n}`)
              .join(', ')} |`,
      );
    }
  }
  if (results.hang?.length) {
    L.push('');
    L.push(
      `## Failover: backend 2 hangs (accepts, never answers) for a ${s.hang.durationS} s load, read timeout ${s.hang.readTimeoutMs} ms`,
      '',
      '| candidate | requests | req/s | non-2xx | socket errors | failed | statuses |',
      '|---|---:|---:|---:|---:|---:|---|',
    );
    for (const f of results.hang) {
      L.push(
        f.error
          ? `| ${f.id} | error: ${f.error} |||||`
          : `| ${f.id} | ${f.requests} | ${k(f.rps)} | ${f.non2xx} | ${f.socketErrors} | **${f.failed}** | ${Object.entries(f.statuses ?? {})
              .map(([code, n]) => `${code}: ${n}`)
              .join(', ')} |`,
      );
    }
  }
  if (results.memory.length) {
    L.push('', '## Memory (RSS, fresh process, cumulative requests)', '');
    const cps = s.memory.checkpoints;
    L.push(`| candidate | at start MB | ${cps.map((c) => `after ${k(c)} MB`).join(' | ')} | growth MB | peak MB |`);
    L.push(`|---|---:|${cps.map(() => '---:').join('|')}|---:|---:|`);
    for (const m2 of results.memory) {
      if (m2.error) {
        L.push(`| ${m2.id} | error: ${m2.error} |`);
        continue;
      }
      const first = m2.checkpoints[0];
      const last = m2.checkpoints[m2.checkpoints.length - 1];
      L.push(
        `| ${m2.id} | ${mb(m2.startKb)} | ${m2.checkpoints.map((c) => mb(c.rssKb)).join(' | ')} | ${first && last ? mb(last.rssKb - first.rssKb) : '-'} | ${last ? mb(last.hwmKb) : '-'} |`,
      );
    }
  }
  for (const p of results.profiles) {
    L.push('', `## CPU profile: ${p.id} (V8 sampling profiler as in node --cpu-prof, 1 ms interval, ${s.profile.durationS} s of load after warm-up)`, '');
    if (p.cpuUs !== undefined) L.push(`process CPU ${p.cpuUs.toFixed(1)} µs per request (from /proc, profiler on)`, '');
    L.push(p.summary ? formatProfile(p.summary, p.requests) : `error: ${p.error ?? 'no profile'}`);
  }
  L.push('', '## Targets (issue 7)', '', '| target | measured | met |', '|---|---|---|');
  for (const t of targets(results)) L.push(`| ${t.target} | ${t.measured} | ${t.met === undefined ? '-' : t.met ? 'yes' : '**no**'} |`);
  L.push('', '## Versions', '', '| package | version |', '|---|---|');
  for (const [name, v] of Object.entries(m.packages)) L.push(`| ${name} | ${v} |`);
  return `${L.join('\n')}\n`;
}
