/**
 * @module How long one pool change blocks the event loop (pnpm bench:pool-change): discover updates
 * of 1,000 servers (weights 1 and 1000), a whole-set replacement, a reweigh, 500 addServer calls,
 * on round-robin and consistent-hash pools; each change then the first pick (which builds the
 * consistent-hash ring). Every change is synchronous, so its duration is the loop's block; the
 * worst loop delay seen by monitorEventLoopDelay is printed beside it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSwitchyard, type ServerOptions, type SwitchyardOptions } from '@switchyard/core';

const ROUNDS = Number(process.env.BENCH_POOL_ROUNDS ?? 5);
const HASH = { balance: 'hash' as const, hash: { key: '$request_uri', consistent: true } };

function servers(n: number, weight: number, offset = 0): ServerOptions[] {
  return Array.from({ length: n }, (_, i) => ({ url: `http://10.${(i + offset) >> 16}.${((i + offset) >> 8) & 255}.${(i + offset) & 255}:8080`, weight }));
}

interface Row {
  case: string;
  changeMs: number;
  firstPickMs: number;
}

/** A switchyard whose `discover` hook hands back its update function. */
async function withDiscover(extra: Partial<SwitchyardOptions['upstreams'][string]>): Promise<{ update: (s: ServerOptions[]) => void; pick: () => void; close: () => Promise<void> }> {
  let update: (s: ServerOptions[]) => void = () => {};
  const sy = createSwitchyard({
    upstreams: {
      api: {
        ...extra,
        discover: ({ update: u }) => {
          update = u as (s: ServerOptions[]) => void;
        },
      },
    },
  });
  return {
    update: (s) => update(s),
    pick: () => sy.upstream('api').pick({ key: `/k/${Math.random()}` })?.release({ status: 200 }),
    close: () => sy.close(),
  };
}

/** One loop turn, so monitorEventLoopDelay sees the block that came before. */
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

function timed(run: () => void): number {
  const t = performance.now();
  run();
  return performance.now() - t;
}

async function discoverCase(name: string, extra: Partial<SwitchyardOptions['upstreams'][string]>, steps: Array<ServerOptions[]>): Promise<Row> {
  let change = 0;
  let first = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const d = await withDiscover(extra);
    d.update(steps[0]!);
    d.pick();
    for (const step of steps.slice(1)) {
      await turn();
      change = Math.max(change, timed(() => d.update(step)));
      await turn();
      first = Math.max(first, timed(() => d.pick()));
    }
    if (steps.length === 1) {
      const d2 = await withDiscover(extra);
      await turn();
      change = Math.max(change, timed(() => d2.update(steps[0]!)));
      await turn();
      first = Math.max(first, timed(() => d2.pick()));
      await d2.close();
    }
    await d.close();
  }
  return { case: name, changeMs: change, firstPickMs: first };
}

async function addServerCase(picks: boolean): Promise<Row> {
  let total = 0;
  let first = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const sy = createSwitchyard({ upstreams: { api: { servers: ['http://10.9.0.1:80'], ...HASH } } });
    const t = performance.now();
    for (const s of servers(500, 1)) {
      sy.addServer('api', s);
      if (picks) sy.upstream('api').pick({ key: '/k' })?.release({ status: 200 });
    }
    total = Math.max(total, performance.now() - t);
    await turn();
    first = Math.max(
      first,
      timed(() => sy.upstream('api').pick({ key: '/k' })?.release({ status: 200 })),
    );
    await sy.close();
  }
  return { case: `500 addServer calls${picks ? ', a pick after each' : ''} (consistent hash), all of them`, changeMs: total, firstPickMs: first };
}

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const rows: Row[] = [];
const thousand = servers(1000, 1);
const heavy = servers(1000, 1000);
rows.push(await discoverCase('discover: 1,000 servers x weight 1, round robin', {}, [thousand]));
rows.push(await discoverCase('discover: 1,000 servers x weight 1000, round robin', {}, [heavy]));
rows.push(await discoverCase('discover: 1,000 servers x weight 1, consistent hash', HASH, [thousand]));
rows.push(await discoverCase('discover: 1,000 servers x weight 1000, consistent hash (ring scaled)', HASH, [heavy]));
rows.push(await discoverCase('discover: 1,000 replaced by 1,000 others, consistent hash', HASH, [thousand, servers(1000, 1, 5000)]));
rows.push(await discoverCase('discover: 1,000 reweighted 1 -> 3, consistent hash', HASH, [thousand, servers(1000, 3)]));
rows.push(await discoverCase('discover: 1 server added to 1,000, consistent hash', HASH, [thousand, [...thousand, ...servers(1, 1, 9000)]]));
rows.push(await addServerCase(false));
rows.push(await addServerCase(true));
histogram.disable();

console.log(`worst of ${ROUNDS} rounds, ms (node ${process.version})`);
console.log('| case | change | first pick after |');
console.log('|---|---:|---:|');
for (const r of rows) console.log(`| ${r.case} | ${r.changeMs.toFixed(1)} | ${r.firstPickMs.toFixed(1)} |`);
console.log(`event loop delay over the run: max ${(histogram.max / 1e6).toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`);
