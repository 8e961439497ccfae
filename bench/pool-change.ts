/**
 * @module How long one pool change blocks the event loop (pnpm bench:pool-change): discover updates
 * of 1,000 servers (weights 1 and 1000), a whole-set replacement, a reweigh, 500 addServer calls,
 * on round-robin and consistent-hash pools; each change then the first pick (which builds the
 * consistent-hash ring). Every change is synchronous, so its duration is the loop's block: each is
 * measured in CPU time of this process (what it costs, whatever else runs on the machine); the
 * worst loop delay seen by monitorEventLoopDelay (wall time) is printed beside it.
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
  /** Round 1 (cold: the code paths run for the first time in this process). */
  coldChangeMs: number;
  coldPickMs: number;
  /** Median and worst of the later rounds. */
  changeMs: number;
  firstPickMs: number;
  changeMedianMs: number;
  firstPickMedianMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Per round: [change, first pick]; round 1 reported apart (JIT warm-up), the rest as their worst. */
function row(name: string, rounds: Array<[number, number]>): Row {
  const warm = rounds.slice(1);
  return {
    case: name,
    coldChangeMs: rounds[0]![0],
    coldPickMs: rounds[0]![1],
    changeMs: Math.max(...warm.map((r) => r[0])),
    firstPickMs: Math.max(...warm.map((r) => r[1])),
    changeMedianMs: median(warm.map((r) => r[0])),
    firstPickMedianMs: median(warm.map((r) => r[1])),
  };
}

/** A switchyard whose `discover` hook hands back its update function. */
async function withDiscover(
  extra: Partial<SwitchyardOptions['upstreams'][string]>,
): Promise<{ update: (s: ServerOptions[]) => void; pick: () => void; close: () => Promise<void> }> {
  let update: (s: ServerOptions[]) => void = () => {};
  const sy = createSwitchyard({
    upstreams: {
      api: {
        ...extra,
        discover: ({ update: u }) => {
          update = u;
        },
      },
    },
  });
  return {
    update: (s) => update(s),
    pick: () =>
      sy
        .upstream('api')
        .pick({ key: `/k/${Math.random()}` })
        ?.release({ status: 200 }),
    close: () => sy.close(),
  };
}

/** One loop turn, so monitorEventLoopDelay sees the block that came before. */
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

/**
 * CPU time of the call in ms (user + system of this process): on a shared machine the wall time
 * also counts the time other processes held the core, which is not the call's cost.
 */
function timed(run: () => void): number {
  const t = process.cpuUsage();
  run();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

async function discoverCase(name: string, extra: Partial<SwitchyardOptions['upstreams'][string]>, steps: Array<ServerOptions[]>): Promise<Row> {
  const rounds: Array<[number, number]> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const d = await withDiscover(extra);
    let change = 0;
    let first = 0;
    if (steps.length > 1) {
      d.update(steps[0]!);
      d.pick();
    }
    for (const step of steps.length > 1 ? steps.slice(1) : steps) {
      await turn();
      change = Math.max(
        change,
        timed(() => d.update(step)),
      );
      await turn();
      first = Math.max(
        first,
        timed(() => d.pick()),
      );
    }
    rounds.push([change, first]);
    await d.close();
  }
  return row(name, rounds);
}

async function addServerCase(picks: boolean): Promise<Row> {
  const rounds: Array<[number, number]> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const sy = createSwitchyard({ upstreams: { api: { servers: ['http://10.9.0.1:80'], ...HASH } } });
    await turn();
    const total = timed(() => {
      for (const s of servers(500, 1)) {
        sy.addServer('api', s);
        if (picks) sy.upstream('api').pick({ key: '/k' })?.release({ status: 200 });
      }
    });
    await turn();
    rounds.push([total, timed(() => sy.upstream('api').pick({ key: '/k' })?.release({ status: 200 }))]);
    await sy.close();
  }
  return row(`500 addServer calls${picks ? ', a pick after each' : ''} (consistent hash), all of them`, rounds);
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

const f = (n: number): string => n.toFixed(1);
console.log(`CPU ms of each call; cold = round 1, then median / worst of rounds 2-${ROUNDS} (node ${process.version})`);
console.log('| case | change: cold, median, worst | first pick after: cold, median, worst |');
console.log('|---|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.case} | ${f(r.coldChangeMs)}, ${f(r.changeMedianMs)}, ${f(r.changeMs)} | ${f(r.coldPickMs)}, ${f(r.firstPickMedianMs)}, ${f(r.firstPickMs)} |`,
  );
console.log(`event loop delay over the run: max ${(histogram.max / 1e6).toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`);
