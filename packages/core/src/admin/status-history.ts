/** @module The status page's short memory: one sample per interval (10 s, last 10 min) of requests, p50/p99 and state per server, retries and no-live-upstream per upstream. */
import type { ServerHistory, ServerState, StatusSnapshot, SwitchyardEvents, UpstreamHistory } from '../types.js';

/** One sample every 10 s (default of `status.history.interval`). */
export const HISTORY_INTERVAL_MS = 10_000;
/** 60 samples: the last 10 minutes (default of `status.history.samples`). */
export const HISTORY_SAMPLES = 60;

/**
 * Bucket upper bounds in ms: 0.25 ms doubling by √2 up to ~92 s (38 buckets). A percentile is read
 * as the upper bound of the bucket it falls in (at most ~41 % high): enough for a sparkline and
 * cheap (one array of counters per server and interval, no per-request array).
 */
export const LATENCY_BOUNDS: readonly number[] = Array.from({ length: 38 }, (_, i) => Math.round(0.25 * Math.SQRT2 ** i * 100) / 100);

/** The index of the first bucket whose bound is >= ms (the last one takes everything slower). */
function bucketOf(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((LATENCY_BOUNDS[mid] as number) >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The q-quantile (0..1) of a bucket histogram, as the bucket's upper bound; 0 when empty. */
export function percentileOf(counts: ArrayLike<number>, total: number, q: number): number {
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (seen >= rank) return LATENCY_BOUNDS[i] as number;
  }
  return LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1] as number;
}

interface ServerTrack {
  /** The server's `requests` counter at the last sample (the interval's requests are the difference). */
  lastRequests: number;
  counts: Uint32Array;
  timed: number;
  requests: number[];
  p50: number[];
  p99: number[];
  states: ServerState[];
}

interface UpstreamTrack {
  retries: number;
  noLive: number;
  retrySeries: number[];
  noLiveSeries: number[];
}

/** What the history needs of the instance: its events, its status and its clock. */
export interface HistorySource {
  on<E extends 'response' | 'retry' | 'no-live-upstream'>(event: E, listener: (payload: SwitchyardEvents[E]) => void): unknown;
  off<E extends 'response' | 'retry' | 'no-live-upstream'>(event: E, listener: (payload: SwitchyardEvents[E]) => void): unknown;
  /** The status without history (what is sampled). */
  snapshot(): StatusSnapshot;
  now(): number;
}

const push = <T>(series: T[], value: T, keep: number): void => {
  series.push(value);
  if (series.length > keep) series.splice(0, series.length - keep);
};

/**
 * Sampled lazily: every read (and an unref'd timer, so samples are taken when nobody looks) closes
 * the intervals that ended by `now()`, so a test clock drives it without waiting. Series are
 * oldest first, all of the same length (`samples`), padded with zeros for a server added later.
 */
export class StatusHistory {
  readonly intervalMs: number;
  readonly keep: number;
  readonly #source: HistorySource;
  readonly #servers = new Map<string, Map<string, ServerTrack>>();
  readonly #upstreams = new Map<string, UpstreamTrack>();
  #nextAt: number;
  #samples = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly #onResponse = (e: SwitchyardEvents['response']): void => {
    if (e.totalMs === undefined || e.failure !== undefined || e.aborted === true) return;
    const track = this.#servers.get(e.upstream)?.get(e.url);
    if (track === undefined) return;
    const i = bucketOf(e.totalMs);
    track.counts[i] = (track.counts[i] as number) + 1;
    track.timed++;
  };
  readonly #onRetry = (e: SwitchyardEvents['retry']): void => {
    const track = this.#upstreams.get(e.upstream);
    if (track !== undefined && e.refused === undefined) track.retries++;
  };
  readonly #onNoLive = (e: SwitchyardEvents['no-live-upstream']): void => {
    const track = this.#upstreams.get(e.upstream);
    if (track !== undefined) track.noLive++;
  };

  constructor(source: HistorySource, options: { intervalMs?: number; keep?: number; timer?: boolean } = {}) {
    this.#source = source;
    this.intervalMs = options.intervalMs ?? HISTORY_INTERVAL_MS;
    this.keep = options.keep ?? HISTORY_SAMPLES;
    this.#nextAt = source.now() + this.intervalMs;
    this.#track(source.snapshot(), false);
    source.on('response', this.#onResponse);
    source.on('retry', this.#onRetry);
    source.on('no-live-upstream', this.#onNoLive);
    if (options.timer !== false) {
      this.#timer = setInterval(() => this.advance(this.intervalMs / 4), this.intervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Closes every interval that ended by now (at most `keep` of them: older ones would fall off anyway).
   * `slack`: the timer's tick may come a little before the clock says the interval ended (timers
   * and performance.now() are not read at the same instant); it closes the interval anyway rather
   * than leave it to the next tick, which would record a full interval and an empty one.
   */
  advance(slack = 0): void {
    const now = this.#source.now() + slack;
    if (now < this.#nextAt) return;
    const due = Math.floor((now - this.#nextAt) / this.intervalMs) + 1;
    const snap = this.#source.snapshot();
    // The first closed interval holds everything counted since the last sample; the others were idle.
    // Intervals older than the ring are not sampled, only counted (in `total`).
    this.#samples += Math.max(0, due - this.keep);
    for (let i = Math.max(0, due - this.keep); i < due; i++) this.#sample(snap, i === Math.max(0, due - this.keep));
    this.#nextAt += due * this.intervalMs;
  }

  #track(snap: StatusSnapshot, pad: boolean): void {
    for (const [name, u] of Object.entries(snap.upstreams)) {
      let servers = this.#servers.get(name);
      if (servers === undefined) this.#servers.set(name, (servers = new Map<string, ServerTrack>()));
      if (!this.#upstreams.has(name)) {
        const zeros = pad ? new Array<number>(Math.min(this.#samples, this.keep)).fill(0) : [];
        this.#upstreams.set(name, { retries: 0, noLive: 0, retrySeries: zeros, noLiveSeries: [...zeros] });
      }
      const seen = new Set<string>();
      for (const s of u.servers) {
        seen.add(s.url);
        if (servers.has(s.url)) continue;
        const n = pad ? Math.min(this.#samples, this.keep) : 0;
        servers.set(s.url, {
          lastRequests: s.requests,
          counts: new Uint32Array(LATENCY_BOUNDS.length),
          timed: 0,
          requests: new Array<number>(n).fill(0),
          p50: new Array<number>(n).fill(0),
          p99: new Array<number>(n).fill(0),
          states: new Array<ServerState>(n).fill(s.state),
        });
      }
      // A removed server's history goes with it (bounded by the pool, not by what was ever seen).
      for (const url of servers.keys()) if (!seen.has(url)) servers.delete(url);
    }
  }

  #sample(snap: StatusSnapshot, counted: boolean): void {
    this.#track(snap, true);
    for (const [name, u] of Object.entries(snap.upstreams)) {
      const servers = this.#servers.get(name) as Map<string, ServerTrack>;
      for (const s of u.servers) {
        const t = servers.get(s.url) as ServerTrack;
        const requests = counted ? Math.max(0, s.requests - t.lastRequests) : 0;
        push(t.requests, requests, this.keep);
        push(t.p50, counted ? percentileOf(t.counts, t.timed, 0.5) : 0, this.keep);
        push(t.p99, counted ? percentileOf(t.counts, t.timed, 0.99) : 0, this.keep);
        push(t.states, s.state, this.keep);
        t.lastRequests = s.requests;
        if (counted) {
          t.counts.fill(0);
          t.timed = 0;
        }
      }
      const up = this.#upstreams.get(name) as UpstreamTrack;
      push(up.retrySeries, counted ? up.retries : 0, this.keep);
      push(up.noLiveSeries, counted ? up.noLive : 0, this.keep);
      if (counted) {
        up.retries = 0;
        up.noLive = 0;
      }
    }
    this.#samples++;
  }

  server(upstream: string, url: string): ServerHistory | undefined {
    const t = this.#servers.get(upstream)?.get(url);
    if (t === undefined) return undefined;
    return { requests: [...t.requests], p50: [...t.p50], p99: [...t.p99], states: [...t.states] };
  }

  upstream(name: string): UpstreamHistory | undefined {
    const t = this.#upstreams.get(name);
    return t === undefined ? undefined : { retries: [...t.retrySeries], noLive: [...t.noLiveSeries] };
  }

  /** The snapshot with every server's and upstream's series (after closing the intervals due). */
  decorate(snap: StatusSnapshot): StatusSnapshot {
    this.advance();
    const upstreams: StatusSnapshot['upstreams'] = {};
    for (const [name, u] of Object.entries(snap.upstreams)) {
      const servers = u.servers.map((s) => {
        const history = this.server(name, s.url);
        return history === undefined ? s : { ...s, history };
      });
      const history = this.upstream(name);
      Object.defineProperty(upstreams, name, {
        value: history === undefined ? { ...u, servers } : { ...u, servers, history },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { ...snap, upstreams, history: { intervalMs: this.intervalMs, samples: Math.min(this.#samples, this.keep), keep: this.keep, total: this.#samples } };
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#source.off('response', this.#onResponse);
    this.#source.off('retry', this.#onRetry);
    this.#source.off('no-live-upstream', this.#onNoLive);
  }
}
