/** @module Reads a V8 .cpuprofile (node --cpu-prof) and lists the top frames by self time and the share of switchyard's core. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  name: string;
  where: string;
  category: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  categories: Array<{ category: string; selfMs: number; share: number }>;
  top: FrameTime[];
  /** The top frames of switchyard's own packages (core and adapters): where its per-request work goes. */
  switchyardTop: FrameTime[];
  /** Self time of frames from packages/core (match, pick, release, forwarding decisions). */
  coreSelfMs: number;
  coreSelfShare: number;
  /** Everything below a core frame, builtins it calls included: an upper bound of the core's cost. */
  coreInclusiveMs: number;
  coreInclusiveShare: number;
}

const ROOT = new URL('..', import.meta.url).pathname;
const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

export function categoryOf(f: CallFrame): string {
  const url = f.url;
  if (url === '') return SPECIAL.has(f.functionName) ? f.functionName : '(native/builtin)';
  if (url.includes('/packages/core/')) return 'switchyard core';
  if (url.includes('/packages/fastify/')) return '@switchyard/fastify';
  if (url.includes('/packages/express/')) return '@switchyard/express';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/bench/')) return 'bench server';
  return url;
}

function whereOf(f: CallFrame): string {
  if (f.url === '') return '';
  let u = f.url.startsWith('file://') ? decodeURIComponent(new URL(f.url).pathname) : f.url;
  if (u.startsWith(ROOT)) u = relative(ROOT, u);
  u = u.replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
  return `${u}:${f.lineNumber + 1}`;
}

export function analyzeProfile(file: string, topN = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const isCore = (n: ProfileNode): boolean => categoryOf(n.callFrame) === 'switchyard core';
  const underCore = new Map<number, boolean>();
  const below = (id: number): boolean => {
    const known = underCore.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    const up = parent.get(id);
    const v = n !== undefined && (isCore(n) || (up !== undefined && below(up)));
    underCore.set(id, v);
    return v;
  };

  let totalUs = 0;
  let idleUs = 0;
  let coreSelfUs = 0;
  let coreInclUs = 0;
  const cats = new Map<string, number>();
  const frames = new Map<string, { f: CallFrame; us: number }>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    totalUs += us;
    const cat = categoryOf(n.callFrame);
    if (cat === '(idle)') {
      idleUs += us;
      continue;
    }
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    if (cat === 'switchyard core') coreSelfUs += us;
    if (below(id)) coreInclUs += us;
    const f = n.callFrame;
    const key = `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
    const e = frames.get(key) ?? { f, us: 0 };
    e.us += us;
    frames.set(key, e);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number): number => (busyUs > 0 ? us / busyUs : 0);
  const frameTime = ({ f, us }: { f: CallFrame; us: number }): FrameTime => ({
    name: f.functionName || '(anonymous)',
    where: whereOf(f),
    category: categoryOf(f),
    selfMs: us / 1000,
    share: share(us),
  });
  const sorted = [...frames.values()].sort((a, b) => b.us - a.us);
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([category, us]) => ({ category, selfMs: us / 1000, share: share(us) })),
    top: sorted.slice(0, topN).map(frameTime),
    switchyardTop: sorted
      .filter(({ f }) => /^(switchyard core|@switchyard\/)/.test(categoryOf(f)))
      .slice(0, 15)
      .map(frameTime),
    coreSelfMs: coreSelfUs / 1000,
    coreSelfShare: share(coreSelfUs),
    coreInclusiveMs: coreInclUs / 1000,
    coreInclusiveShare: share(coreInclUs),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** Markdown: categories, then the top frames by self time. */
export function formatProfile(s: ProfileSummary, requests?: number): string {
  const lines: string[] = [];
  lines.push(
    `busy ${s.busyMs.toFixed(0)} ms of ${s.totalMs.toFixed(0)} ms profiled (idle ${s.idleMs.toFixed(0)} ms)` +
      (requests ? `, ${requests} requests, ${((s.busyMs * 1000) / requests).toFixed(1)} µs busy per request (wall time on the JS thread)` : ''),
  );
  lines.push(
    `switchyard core: self ${s.coreSelfMs.toFixed(1)} ms = **${pct(s.coreSelfShare)}** of busy time` +
      (requests ? ` (${((s.coreSelfMs * 1000) / requests).toFixed(2)} µs per request)` : '') +
      `; with everything it calls ${s.coreInclusiveMs.toFixed(1)} ms = ${pct(s.coreInclusiveShare)}`,
  );
  lines.push('', '| category | self ms | share of busy |', '|---|---:|---:|');
  for (const c of s.categories.slice(0, 15)) lines.push(`| ${c.category} | ${c.selfMs.toFixed(1)} | ${pct(c.share)} |`);
  const table = (frames: readonly FrameTime[]): void => {
    lines.push('| # | frame | where | self ms | share |', '|---:|---|---|---:|---:|');
    frames.forEach((f, i) => {
      lines.push(`| ${i + 1} | \`${f.name}\` | ${f.where || f.category} | ${f.selfMs.toFixed(1)} | ${pct(f.share)} |`);
    });
  };
  lines.push('', 'Top frames by self time:', '');
  table(s.top);
  if (s.switchyardTop.length > 0) {
    lines.push('', "switchyard's own frames (core and adapter):", '');
    table(s.switchyardTop);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/cpu-top.ts FILE.cpuprofile [topN]');
    process.exit(2);
  }
  console.log(formatProfile(analyzeProfile(file, Number(n ?? 25))));
}
