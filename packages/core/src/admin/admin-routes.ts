/** @module The status (JSON/HTML) and metrics responses that both adapters serve at the configured paths. */
import type { RequestInfo, Switchyard } from '../types.js';
import type { PromClientLike } from '../metrics/prom-client-types.js';
import { createPrometheusMetrics, type PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { loadPromClient } from '../metrics/load-prom-client.js';
import { prefersHtml } from './accept.js';
import { renderStatusPage, STATUS_PAGE_CSP } from './status-page.js';
import { machineStatus } from './instance-internals.js';
import { writeAccess } from './admin-auth.js';
import { STATUS_PAGE_CSP_WITH_CONTROLS, withControls } from './status-controls.js';

export interface AdminResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface AdminResponseOptions {
  /** The request, so the status page can show drain/down/up buttons to a client with write access to the admin API. */
  request?: RequestInfo;
  /** How to get prom-client for the metrics path (tests, bundled apps). Default: import it, or resolve it from the cwd. */
  loadPromClient?: () => Promise<PromClientLike>;
}

/** Never cached by a proxy or browser, never sniffed into another type: the data is live and internal. */
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** One metrics set per instance, made at the first scrape; a failed load is remembered too (no import per scrape). */
const metricsByInstance = new WeakMap<Switchyard, Promise<PrometheusMetrics>>();

function metricsFor(sy: Switchyard, load: () => Promise<PromClientLike>): Promise<PrometheusMetrics> {
  let metrics = metricsByInstance.get(sy);
  if (metrics === undefined) {
    metrics = load().then((promClient) => createPrometheusMetrics(sy, promClient));
    // Keeps an unscraped rejection from being reported as unhandled; callers still see it.
    metrics.catch(() => {});
    metricsByInstance.set(sy, metrics);
  }
  return metrics;
}

/**
 * Load prom-client for `sy`'s metrics path now (the load is cached for the scrapes), so that a
 * missing prom-client is reported at start instead of at the first scrape. Rejects with the
 * install hint; resolves at once when no metrics path is configured.
 */
export async function prepareMetrics(sy: Switchyard, options: AdminResponseOptions = {}): Promise<void> {
  if (sy.config.metrics === undefined) return;
  await metricsFor(sy, options.loadPromClient ?? loadPromClient);
}

/**
 * The answer for a request to `status.path` (JSON unless the client prefers text/html) or
 * `metrics.path` (Prometheus text); `undefined` when `path` is neither. A query string is ignored.
 * Adapters register routes for both paths that win over any location.
 */
export async function adminResponse(
  sy: Switchyard,
  path: string,
  accept: string | undefined,
  options: AdminResponseOptions = {},
): Promise<AdminResponse | undefined> {
  const q = path.indexOf('?');
  const pathname = q >= 0 ? path.slice(0, q) : path;
  if (sy.config.status !== undefined && pathname === sy.config.status.path) {
    const snapshot = await machineStatus(sy);
    if (prefersHtml(accept)) {
      const admin = sy.config.admin;
      const controls = admin !== undefined && options.request !== undefined && (await writeAccess(admin, options.request)).ok;
      return {
        status: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          ...COMMON_HEADERS,
          vary: 'accept',
          'content-security-policy': controls ? STATUS_PAGE_CSP_WITH_CONTROLS : STATUS_PAGE_CSP,
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
        },
        body: controls ? withControls(renderStatusPage(snapshot), admin.path) : renderStatusPage(snapshot),
      };
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...COMMON_HEADERS, vary: 'accept' },
      body: JSON.stringify(snapshot, null, 2),
    };
  }
  if (sy.config.metrics !== undefined && pathname === sy.config.metrics.path) {
    try {
      const metrics = await metricsFor(sy, options.loadPromClient ?? loadPromClient);
      return { status: 200, headers: { 'content-type': metrics.contentType, ...COMMON_HEADERS }, body: await metrics.render() };
    } catch (err) {
      // A missing optional dependency: the endpoint is unavailable, not broken per request.
      return {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...COMMON_HEADERS },
        body: `${err instanceof Error ? err.message : String(err)}\n`,
      };
    }
  }
  return undefined;
}
