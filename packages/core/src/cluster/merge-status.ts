/** @module One status for the whole machine: the workers' snapshots summed server by server. */
import type { ServerHistory, ServerStatus, StatusSnapshot, UpstreamStatus } from '../types.js';

/**
 * Counters (requests, responses, fails, unavailable) and `active` are summed; state, weight and
 * health are the first snapshot's (the workers agree on them: changes, probes and passive
 * failures are shared); average times are weighted by each worker's requests. `first` is the
 * answering worker's own snapshot, so a server only it knows (a change still in flight) shows too.
 * History series are aligned on their newest sample (the workers sample at the same interval, not
 * at the same instant): requests, retries and no-live counts are summed, p50/p99 are the highest
 * worker's (a percentile cannot be summed; the worst worker is what an operator wants to see), the
 * states are the first snapshot's. The first snapshot's series length is kept.
 */
export function mergeStatus(first: StatusSnapshot, others: readonly StatusSnapshot[]): StatusSnapshot {
  const upstreams: Record<string, UpstreamStatus> = {};
  for (const [name, mine] of Object.entries(first.upstreams)) {
    const servers = mine.servers.map((s) => {
      let sum: ServerStatus = { ...s, responses: { ...s.responses } };
      for (const other of others) {
        const o = other.upstreams[name]?.servers.find((x) => x.url === s.url);
        if (o !== undefined) sum = add(sum, o);
      }
      return sum;
    });
    // Each worker has a queue of its own (NGINX Plus: per worker process too): the counters add up.
    let queue = mine.queue;
    for (const other of others) {
      const q = other.upstreams[name]?.queue;
      if (queue !== undefined && q !== undefined) {
        queue = {
          size: queue.size + q.size,
          waiting: queue.waiting + q.waiting,
          total: queue.total + q.total,
          timedOut: queue.timedOut + q.timedOut,
          rejected: queue.rejected + q.rejected,
        };
      }
    }
    let history = mine.history;
    for (const other of others) {
      const h = other.upstreams[name]?.history;
      if (history !== undefined && isObject(h)) history = { retries: sumSeries(history.retries, h.retries), noLive: sumSeries(history.noLive, h.noLive) };
    }
    upstreams[name] = { ...mine, servers, ...(queue !== undefined ? { queue } : {}), ...(history !== undefined ? { history } : {}) };
  }
  return { upstreams, workers: others.length + 1, ...(first.history !== undefined ? { history: first.history } : {}) };
}

function add(a: ServerStatus, b: ServerStatus): ServerStatus {
  const requests = a.requests + b.requests;
  const avg = (x: number, y: number): number => (requests > 0 ? (x * a.requests + y * b.requests) / requests : 0);
  return {
    ...a,
    active: a.active + b.active,
    requests,
    responses: {
      '1xx': a.responses['1xx'] + b.responses['1xx'],
      '2xx': a.responses['2xx'] + b.responses['2xx'],
      '3xx': a.responses['3xx'] + b.responses['3xx'],
      '4xx': a.responses['4xx'] + b.responses['4xx'],
      '5xx': a.responses['5xx'] + b.responses['5xx'],
    },
    fails: a.fails + b.fails,
    unavailable: a.unavailable + b.unavailable,
    headerMs: avg(a.headerMs, b.headerMs),
    totalMs: avg(a.totalMs, b.totalMs),
    ...(a.history !== undefined && isObject(b.history) ? { history: addHistory(a.history, b.history) } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function addHistory(a: ServerHistory, b: ServerHistory): ServerHistory {
  return { requests: sumSeries(a.requests, b.requests), p50: maxSeries(a.p50, b.p50), p99: maxSeries(a.p99, b.p99), states: a.states };
}

/** b's values that line up with a's (newest last); anything not a finite number (a hostile worker) counts as 0. */
function aligned(a: readonly number[], b: unknown, combine: (x: number, y: number) => number): number[] {
  const theirs: readonly unknown[] = Array.isArray(b) ? b.slice(-a.length) : [];
  const shift = a.length - theirs.length;
  return a.map((x, i) => {
    const y = theirs[i - shift];
    return typeof y === 'number' && Number.isFinite(y) && y >= 0 ? combine(x, y) : x;
  });
}

const sumSeries = (a: readonly number[], b: unknown): number[] => aligned(a, b, (x, y) => x + y);
const maxSeries = (a: readonly number[], b: unknown): number[] => aligned(a, b, Math.max);
