/** @module Prometheus metrics for a switchyard instance, built on a prom-client module the caller hands in (core has no runtime deps). */
import type { QueueStatus, ServerState, StatusSnapshot, Switchyard, SwitchyardEvents } from '../types.js';
import { machineStatus } from '../admin/instance-internals.js';
import type { PromClientLike, PromCounter, PromGauge, PromHistogram, PromRegistry } from './prom-client-types.js';
import { addRequestMetrics } from './request-metrics.js';

export interface PrometheusMetricsOptions {
  /** Register into this registry (e.g. prom-client's default `register`); default a new one. */
  registry?: PromRegistry;
  /** Metric name prefix. Default `'switchyard_'`. */
  prefix?: string;
  /** Histogram buckets in seconds. Default {@link DEFAULT_RESPONSE_BUCKETS}. */
  buckets?: number[];
}

export interface PrometheusMetrics {
  readonly registry: PromRegistry;
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
  /** The exposition text of the whole registry. */
  render(): Promise<string>;
  /** Stop listening to the instance's events and remove these metrics from the registry. */
  stop(): void;
}

/** Response-time buckets (seconds): from a fast local hop to nginx's default 60 s read timeout. */
export const DEFAULT_RESPONSE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const STATES: readonly ServerState[] = ['up', 'down', 'failed', 'unhealthy', 'draining'];
const CODE_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Counters and gauges are read from `sy.status()` at scrape time; the histogram, retries,
 * no-live-upstream and probe counts come from events (they have no running total in status).
 *
 * Metric names (with the default prefix): `switchyard_upstream_requests_total{upstream,server,code_class}`,
 * `switchyard_upstream_active{upstream,server}`, `switchyard_upstream_response_seconds{upstream,server}` (histogram),
 * `switchyard_upstream_server_up{upstream,server}` (1 when up or draining), `switchyard_upstream_server_state{upstream,server,state}`,
 * `switchyard_upstream_weight{upstream,server}`, `switchyard_upstream_fails_total{upstream,server}`,
 * `switchyard_upstream_unavailable_total{upstream,server}`, `switchyard_retries_total{upstream}`,
 * `switchyard_retries_refused_total{upstream,reason}` (reason `budget`),
 * `switchyard_no_live_upstream_total{upstream}`, `switchyard_health_checks_total{upstream,server,result}`;
 * from the per-request facts (see request-metrics.ts): `switchyard_request_duration_seconds{upstream,code_class}`
 * (histogram), `switchyard_request_tries{upstream}` (histogram), `switchyard_sticky_total{upstream,result}`,
 * `switchyard_resolver_failing{upstream,name}`, `switchyard_resolver_errors_total{upstream,source}`.
 *
 * @example
 * import * as promClient from 'prom-client'
 * const metrics = createPrometheusMetrics(app.switchyard, promClient)
 * app.get('/metrics', async (req, reply) => reply.type(metrics.contentType).send(await metrics.render()))
 */
export function createPrometheusMetrics(sy: Switchyard, promClient: PromClientLike, options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const prefix = options.prefix ?? 'switchyard_';
  const registry = options.registry ?? new promClient.Registry();
  const names: string[] = [];
  const add = <M extends PromCounter | PromGauge | PromHistogram>(name: string, metric: M): M => {
    registry.registerMetric(metric);
    names.push(prefix + name);
    return metric;
  };
  const server = ['upstream', 'server'];
  /** During render(): the status summed over the cluster's workers (when clustered), read once per scrape. */
  let scraped: StatusSnapshot | undefined;

  /** A counter mirrored from a running total in status: reset and re-set at every scrape. */
  const fromStatus = (name: string, help: string, labelNames: string[], fill: (c: PromCounter) => void): void => {
    const c: PromCounter = add(name, new promClient.Counter({ name: prefix + name, help, labelNames, registers: [], collect: () => (c.reset(), fill(c)) }));
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: PromGauge) => void): void => {
    const g: PromGauge = add(name, new promClient.Gauge({ name: prefix + name, help, labelNames, registers: [], collect: () => (g.reset(), fill(g)) }));
  };
  const eachServer = (
    f: (labels: { upstream: string; server: string }, s: ReturnType<Switchyard['status']>['upstreams'][string]['servers'][number]) => void,
  ): void => {
    for (const [upstream, u] of Object.entries((scraped ?? sy.status()).upstreams)) for (const s of u.servers) f({ upstream, server: s.url }, s);
  };

  fromStatus('upstream_requests_total', 'Responses from each upstream server by status class.', [...server, 'code_class'], (c) =>
    eachServer((l, s) => CODE_CLASSES.forEach((k) => c.inc({ ...l, code_class: k }, s.responses[k]))),
  );
  fromStatus('upstream_fails_total', 'Failed tries (error, timeout, invalid header or a failing status) per server.', server, (c) =>
    eachServer((l, s) => c.inc(l, s.fails)),
  );
  fromStatus('upstream_unavailable_total', 'Times each server was marked unavailable by passive checks.', server, (c) =>
    eachServer((l, s) => c.inc(l, s.unavailable)),
  );
  gauge('upstream_active', 'Requests in flight (and open WebSockets) per server.', server, (g) => eachServer((l, s) => g.set(l, s.active)));
  gauge('upstream_server_up', '1 when the server takes new requests (up or draining), else 0.', server, (g) =>
    eachServer((l, s) => g.set(l, s.state === 'up' || s.state === 'draining' ? 1 : 0)),
  );
  gauge('upstream_server_state', 'The server state, one series per state with value 1 for the current one.', [...server, 'state'], (g) =>
    eachServer((l, s) => STATES.forEach((state) => g.set({ ...l, state }, s.state === state ? 1 : 0))),
  );
  gauge('upstream_weight', 'Configured weight per server.', server, (g) => eachServer((l, s) => g.set(l, s.weight)));
  const eachQueue = (f: (labels: { upstream: string }, q: QueueStatus) => void): void => {
    for (const [upstream, u] of Object.entries((scraped ?? sy.status()).upstreams)) if (u.queue !== undefined) f({ upstream }, u.queue);
  };
  gauge('upstream_queue_waiting', 'Requests waiting in the upstream queue for a server at maxConns (only upstreams with `queue`).', ['upstream'], (g) =>
    eachQueue((l, q) => g.set(l, q.waiting)),
  );
  fromStatus('upstream_queue_total', 'Requests that waited in the upstream queue.', ['upstream'], (c) => eachQueue((l, q) => c.inc(l, q.total)));
  fromStatus('upstream_queue_timed_out_total', 'Requests refused after waiting the queue timeout.', ['upstream'], (c) =>
    eachQueue((l, q) => c.inc(l, q.timedOut)),
  );
  fromStatus('upstream_queue_rejected_total', 'Requests refused at once because the queue was full.', ['upstream'], (c) =>
    eachQueue((l, q) => c.inc(l, q.rejected)),
  );

  const histogram = add(
    'upstream_response_seconds',
    new promClient.Histogram({
      name: `${prefix}upstream_response_seconds`,
      help: 'Time to the end of each upstream response (tries that got a status).',
      labelNames: server,
      buckets: options.buckets ?? DEFAULT_RESPONSE_BUCKETS,
      registers: [],
    }),
  );
  const retries = add(
    'retries_total',
    new promClient.Counter({ name: `${prefix}retries_total`, help: 'Retries to another server.', labelNames: ['upstream'], registers: [] }),
  );
  const noLive = add(
    'no_live_upstream_total',
    new promClient.Counter({
      name: `${prefix}no_live_upstream_total`,
      help: 'Requests that found no live server (answered 502).',
      labelNames: ['upstream'],
      registers: [],
    }),
  );
  const probes = add(
    'health_checks_total',
    new promClient.Counter({ name: `${prefix}health_checks_total`, help: 'Active health probes by result.', labelNames: [...server, 'result'], registers: [] }),
  );

  const onResponse = (e: SwitchyardEvents['response']): void => {
    const ms = e.totalMs ?? e.headerMs;
    if (e.status !== undefined && ms !== undefined) histogram.observe({ upstream: e.upstream, server: e.url }, ms / 1000);
  };
  const refused = add(
    'retries_refused_total',
    new promClient.Counter({
      name: `${prefix}retries_refused_total`,
      help: 'Retries not made because the retry budget was spent.',
      labelNames: ['upstream', 'reason'],
      registers: [],
    }),
  );
  const onRetry = (e: SwitchyardEvents['retry']): void => {
    if (e.refused === undefined) retries.inc({ upstream: e.upstream });
    else refused.inc({ upstream: e.upstream, reason: e.refused });
  };
  const onNoLive = (e: SwitchyardEvents['no-live-upstream']): void => noLive.inc({ upstream: e.upstream });
  const onProbe = (e: SwitchyardEvents['health:probe']): void => probes.inc({ upstream: e.upstream, server: e.url, result: e.ok ? 'pass' : 'fail' });
  // Dynamic pools churn servers: drop the event-fed series of a server that left (status-fed ones are rebuilt at every scrape).
  const onRemoved = (e: SwitchyardEvents['server:removed']): void => {
    const labels = { upstream: e.upstream, server: e.url };
    histogram.remove(labels);
    for (const result of ['pass', 'fail']) probes.remove({ ...labels, result });
  };
  sy.on('response', onResponse).on('retry', onRetry).on('no-live-upstream', onNoLive).on('health:probe', onProbe);
  sy.on('server:removed', onRemoved);
  const stopRequests = addRequestMetrics(sy, promClient, {
    prefix,
    buckets: options.buckets ?? DEFAULT_RESPONSE_BUCKETS,
    add,
    status: () => scraped ?? sy.status(),
  });

  return {
    registry,
    get contentType() {
      return registry.contentType;
    },
    async render() {
      scraped = await machineStatus(sy);
      try {
        return await registry.metrics();
      } finally {
        scraped = undefined;
      }
    },
    stop() {
      sy.off('response', onResponse).off('retry', onRetry).off('no-live-upstream', onNoLive).off('health:probe', onProbe);
      sy.off('server:removed', onRemoved);
      stopRequests();
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
