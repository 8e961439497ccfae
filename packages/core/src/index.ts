/** @module Public entry point of @switchyard/core. */
export * from './types.js';
export * from './errors.js';
export { createSwitchyard } from './switchyard.js';
export * from './http/index.js';
export { adminResponse, prepareMetrics, type AdminResponse } from './admin/admin-routes.js';
export { logStartupNotes, consoleLogger } from './admin/startup-notes.js';
export { defineConfig } from './define-config.js';
export { DEFAULT_CLOSE_TIMEOUT_MS } from './config/close-timeout.js';
export { OpenExchanges, type OpenExchange } from './http/open-exchanges.js';
export * from './hooks/index.js';
export { attachStateLogger } from './admin/state-logger.js';
export { type AdminResponseOptions } from './admin/admin-routes.js';
export { adminApiResponse, isAdminApiPath, type AdminApiRequest, type AdminApiOptions } from './admin/admin-api.js';
export { MAX_ADMIN_BODY } from './admin/admin-body.js';
export { clusterPrimary, type ClusterPrimary, type ClusterPrimaryOptions } from './cluster/cluster-primary.js';
export { type StateLoggerOptions, NO_LIVE_UPSTREAM_LOG_INTERVAL_MS } from './admin/state-logger.js';
export { createPrometheusMetrics, DEFAULT_RESPONSE_BUCKETS, type PrometheusMetrics, type PrometheusMetricsOptions } from './metrics/prometheus-metrics.js';
export type { PromClientLike, PromRegistry, PromCounter, PromGauge, PromHistogram, PromLabels, PromMetricConfig } from './metrics/prom-client-types.js';
export { parseNginxConfig, toSwitchyardOptions, type NginxParseOptions } from './nginx/index.js';
export {
  parseDuration,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  DEFAULT_KEEPALIVE,
  DEFAULT_HEALTH_CHECK,
  DEFAULT_FAIL_TIMEOUT_MS,
  DEFAULT_RETRY_BUDGET,
  DEFAULT_BALANCE,
  DEFAULT_WEIGHT,
  MAX_WEIGHT,
  DEFAULT_MAX_FAILS,
} from './config/index.js';
export {
  normalizePath,
  withAccelKept,
  redirectLocation,
  returnResponse,
  redirectResponse,
  type ReturnResponse,
  adoptTargetHost,
  rewriteRedirectHeaders,
  applyRedirectRules,
  MAX_ACCEL_REDIRECTS,
} from './routing/index.js';
export { stickyPeerName, stickyServerId } from './sticky/peer-name.js';
export { addSetCookie } from './sticky/add-set-cookie.js';
export { DEFAULT_STICKY_LEARN_TIMEOUT_MS, DEFAULT_STICKY_MAX_SESSIONS } from './sticky/resolve-sticky.js';
export { HASH_KEY_ERROR_CODE } from './config/hash-key-error.js';
export * from './access-log/index.js';
export { createRequestFacts, finishRequestFacts, recordConnect, sendTry, traceTry, upstreamAddr, type FactsRequest } from './request-facts/request-facts.js';
export { traceSendingTry } from './tracing/request-trace.js';
export { servesFiles, loadStaticPeer } from './static-files/load-peer.js';
export { recordUpstreamHeaders } from './request-facts/upstream-headers.js';
export * from './added-headers/index.js';
