/** @module Public types of @switchyard/core: configuration input, resolved configuration, per-request API, status. */
import type { IncomingHttpHeaders } from 'node:http';

// ---------------------------------------------------------------------------
// Configuration as users write it (validated by createSwitchyard)
// ---------------------------------------------------------------------------

/** Milliseconds as a number, or an nginx-style string: `'500ms'`, `'10s'`, `'1m'`, `'1h'`, `'1m30s'`. */
export type Duration = number | string;

/** What the core needs to know about a client request (hash keys, retries, headers). */
export interface RequestInfo {
  method: string;
  /** Path and query as received, e.g. `/api/users?id=1`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The client's address as seen by the server socket (`::ffff:` forms allowed). */
  clientIp: string;
}

/** A failure that is not an HTTP status: connection error/reset, timeout, malformed response. */
export type FailureKind = 'error' | 'timeout' | 'invalid_header';

/** nginx `proxy_next_upstream` conditions: a failure kind or an HTTP status. */
export type RetryCondition = FailureKind | number;

export type BalanceStrategyName = 'round-robin' | 'least-conn' | 'least-time' | 'random' | 'random-two' | 'ip-hash' | 'hash';

export interface RetryBudgetOptions {
  /** Retries in flight may be at most this percent of the pool's active requests. Default 20. */
  percent?: number;
  /** ...or this many, whichever is larger. Default 3. */
  minConcurrent?: number;
}

export interface RetryOptions {
  /** What makes a try fail over to the next server. Default `['error', 'timeout']`. */
  on?: RetryCondition[];
  /** Total tries per request including the first; 0 = every eligible server once. Default 0. */
  tries?: number;
  /** No new try after this long since the request began; 0 = no limit. Default 0. */
  timeout?: Duration;
  /** Also retry POST/PATCH/LOCK once they were sent. Default false. */
  nonIdempotent?: boolean;
  /**
   * Envoy-style retry budget per pool for retries after a timeout, an invalid answer or a status
   * (connection errors fail over without it, as in nginx); `false` disables it.
   * Default `{ percent: 20, minConcurrent: 3 }`.
   */
  budget?: RetryBudgetOptions | false;
}

export interface HealthCheckOptions {
  /** Default `'/'`. */
  path?: string;
  /** Default `'5s'`. */
  interval?: Duration;
  /** Default `'1s'`. */
  timeout?: Duration;
  /** Consecutive failures that mark a server unhealthy. Default 1. */
  fails?: number;
  /** Consecutive passes that mark it healthy again. Default 1. */
  passes?: number;
  /** Accepted statuses: `'200-399'` (default), `'200'`, `'2xx'`, or a comma list of those. */
  status?: string;
  /** The response body must match (RegExp) or contain (string) this. */
  body?: RegExp | string;
  /** Servers start unhealthy and take traffic only after a passing probe. Default false. */
  mandatory?: boolean;
}

export interface TimeoutOptions {
  /** Time to establish the upstream connection. Default 60s; 0 = none. */
  connect?: Duration;
  /** Max time between two reads of the upstream response (and until its first byte). Default 60s; 0 = none. */
  read?: Duration;
  /** Max time between two writes of the request to the upstream. Default 60s; 0 = none. */
  send?: Duration;
}

export interface ServerOptions {
  /** `'http://127.0.0.1:8000'`; https is allowed and its certificate is verified. */
  url: string;
  /** Default 1. */
  weight?: number;
  /** Failures within `failTimeout` that mark the server unavailable. Default 1; 0 = never. */
  maxFails?: number;
  /** Failure window and how long the server stays unavailable. Default `'10s'`. */
  failTimeout?: Duration;
  /** Only used while every primary server is unavailable. */
  backup?: boolean;
  /** Never used. */
  down?: boolean;
  /** Takes only requests already bound to it (hash / ip-hash keys). */
  drain?: boolean;
  /** Concurrent requests cap; 0 = unlimited. Default 0. */
  maxConns?: number;
  /** After recovering, weight ramps from 0 to `weight` over this long. Default 0. */
  slowStart?: Duration;
}

export interface HashOptions {
  /** nginx variables (`$request_uri`, `$remote_addr`, `$http_x`, `$cookie_x`, `$arg_x`) or a function. */
  key: string | ((req: RequestInfo) => string);
  /** ketama consistent hashing, as nginx `hash ... consistent`. Default false. */
  consistent?: boolean;
}

export interface UpstreamOptions {
  servers: Array<ServerOptions | string>;
  /** Default `'round-robin'`. */
  balance?: BalanceStrategyName;
  /** Required for `balance: 'hash'`. */
  hash?: HashOptions;
  retry?: RetryOptions;
  healthCheck?: HealthCheckOptions;
  timeouts?: TimeoutOptions;
  /** Idle upstream connections kept per server. Default 32. */
  keepalive?: number;
}

export interface LocationOptions {
  upstream: string;
  /** nginx `proxy_pass http://pool/new/;`: the matched prefix is replaced by this. */
  rewritePrefix?: string;
  /** Forward the client's Host header instead of the upstream's. Default false. */
  preserveHost?: boolean;
  /** Extra request headers sent to the upstream. */
  headers?: Record<string, string>;
  /** Overrides the upstream's retry options field by field. */
  retry?: RetryOptions;
  /** Overrides the upstream's timeouts field by field. */
  timeouts?: TimeoutOptions;
  /** Proxy `Upgrade: websocket` requests. Default true. */
  websocket?: boolean;
}

/** A sink for one-line state-change messages (pino, console, ...). */
export interface SwitchyardLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface SwitchyardOptions {
  upstreams: Record<string, UpstreamOptions | Array<ServerOptions | string>>;
  /** nginx-syntax keys (`'/api/'`, `'= /x'`, `'^~ /s/'`, `'~ re'`, `'~* re'`); a string value names the upstream. */
  locations?: Record<string, LocationOptions | string>;
  /** Keep client-sent X-Forwarded-* from these peers (true = any). Default false. */
  trustProxy?: boolean | string[];
  /** Serve the status JSON/HTML at this path. Default off. */
  status?: { path: string };
  /** Serve Prometheus metrics at this path (needs the optional peer `prom-client`). Default off. */
  metrics?: { path: string };
}

/** Result of `parseNginxConfig`. */
export interface NginxParseResult {
  options: SwitchyardOptions;
  warnings: string[];
}

/** Everything `createSwitchyard` and the adapters accept. */
export type SwitchyardInput = SwitchyardOptions | NginxParseResult | { nginx: string };

// ---------------------------------------------------------------------------
// Resolved configuration (defaults applied, durations in ms)
// ---------------------------------------------------------------------------

export interface ResolvedRetry {
  readonly onError: boolean;
  readonly onTimeout: boolean;
  readonly onInvalidHeader: boolean;
  /** Statuses that count as a failure and trigger a retry. */
  readonly onStatus: ReadonlySet<number>;
  readonly tries: number;
  readonly timeoutMs: number;
  readonly nonIdempotent: boolean;
  readonly budget: { readonly percent: number; readonly minConcurrent: number } | false;
}

export interface ResolvedTimeouts {
  /** 0 = none. */
  readonly connectMs: number;
  readonly readMs: number;
  readonly sendMs: number;
}

export interface ResolvedServer {
  readonly url: string;
  readonly weight: number;
  readonly maxFails: number;
  readonly failTimeoutMs: number;
  readonly backup: boolean;
  readonly down: boolean;
  readonly drain: boolean;
  readonly maxConns: number;
  readonly slowStartMs: number;
}

export interface ResolvedHealthCheck {
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly fails: number;
  readonly passes: number;
  /** Inclusive status ranges. */
  readonly status: ReadonlyArray<readonly [number, number]>;
  readonly body: RegExp | string | undefined;
  readonly mandatory: boolean;
}

export interface ResolvedUpstream {
  readonly name: string;
  readonly balance: BalanceStrategyName;
  readonly hash: { readonly key: (req: RequestInfo) => string; readonly source: string; readonly consistent: boolean } | undefined;
  readonly servers: readonly ResolvedServer[];
  readonly retry: ResolvedRetry;
  readonly timeouts: ResolvedTimeouts;
  readonly keepalive: number;
  readonly healthCheck: ResolvedHealthCheck | undefined;
}

export type LocationKind = 'exact' | 'prefix-priority' | 'prefix' | 'regex' | 'regex-i';

/** A location with its effective options (location retry/timeouts merged over the upstream's). */
export interface Location {
  /** The key as written, e.g. `'^~ /static/'`. */
  readonly key: string;
  readonly kind: LocationKind;
  /** The path or the regex source. */
  readonly pattern: string;
  readonly upstream: string;
  readonly rewritePrefix: string | undefined;
  readonly preserveHost: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly retry: ResolvedRetry;
  readonly timeouts: ResolvedTimeouts;
  readonly websocket: boolean;
}

export interface ResolvedConfig {
  readonly upstreams: ReadonlyMap<string, ResolvedUpstream>;
  /** In config order. */
  readonly locations: readonly Location[];
  readonly trustProxy: boolean | readonly string[];
  readonly status: { readonly path: string } | undefined;
  readonly metrics: { readonly path: string } | undefined;
  /** Warnings carried over from nginx parsing. */
  readonly warnings: readonly string[];
}

// ---------------------------------------------------------------------------
// Per-request API
// ---------------------------------------------------------------------------

/** `sy.match()` for a request to proxy. */
export interface ProxyRoute {
  readonly location: Location;
  readonly upstream: string;
  /** Path + query to send upstream (rewritten when the location has `rewritePrefix`). */
  readonly path: string;
  readonly redirect?: undefined;
}

/** `sy.match()` for nginx's slash redirect: answer 301 with this Location. */
export interface RedirectRoute {
  readonly location: Location;
  /** Path (+ query) to redirect to, e.g. `/api/?x=1`. */
  readonly redirect: string;
}

export type RouteMatch = ProxyRoute | RedirectRoute;

/** An upstream server as adapters need it to connect. */
export interface ServerInfo {
  readonly url: string;
  /** `http://host:port` without path. */
  readonly origin: string;
  readonly protocol: 'http:' | 'https:';
  /** Hostname without brackets. */
  readonly hostname: string;
  readonly port: number;
  /** Value for the Host header: host[:port] as written in the url (nginx $proxy_host). */
  readonly host: string;
  /** Path prefix written in the url (`http://h:1/base`), '' when none. */
  readonly basePath: string;
  readonly backup: boolean;
}

export interface PickContext {
  /** Used for hash keys (and the client address for ip-hash). */
  request?: RequestInfo;
  /** A precomputed hash key (overrides `hash.key`). */
  key?: string;
  /** The client address for ip-hash (overrides `request.clientIp`). */
  clientIp?: string;
  /** Server urls already tried for this request: never picked again. */
  tried?: ReadonlySet<string>;
  /** Statuses that count as a server failure for this request (a location's `retry.on`); default the upstream's. */
  failOn?: ReadonlySet<number>;
}

/** What happened to one try, reported exactly once through `release()`. */
export type Outcome =
  | { status: number; headerMs?: number; totalMs?: number; failure?: undefined; aborted?: undefined }
  | { failure: FailureKind; headerMs?: number; totalMs?: number; status?: undefined; aborted?: undefined }
  /** The client went away first (nginx 499): neither success nor failure. */
  | { aborted: true; headerMs?: number; totalMs?: number; status?: undefined; failure?: undefined };

export interface Pick {
  readonly server: ServerInfo;
  /** Report the outcome; the first call counts, later calls are ignored. */
  release(outcome: Outcome): void;
}

export interface Upstream {
  readonly name: string;
  readonly config: ResolvedUpstream;
  /** Choose a server, or `undefined` when no server is live (answer 502). */
  pick(ctx?: PickContext): Pick | undefined;
  /** The servers currently in the pool (including down/backup). */
  servers(): readonly ServerInfo[];
}

/** Progress of a try when it ended, which decides whether it may be retried. */
export interface TryProgress {
  /** Some byte of the request (head or body) was written to the upstream. */
  requestSent: boolean;
  /** Some byte of the response was already sent to the client. */
  responseStarted: boolean;
}

/** What an adapter does after a try ended. */
export type Decision =
  /** Discard this try's response (if any) and forward to `attempt` instead. */
  | { action: 'retry'; attempt: Attempt }
  /** Send the upstream's response as it is (success, or the last real response). */
  | { action: 'deliver' }
  /** Answer with this error status (or close the socket if the response already started). */
  | { action: 'fail'; status: 502 | 504; reason: string };

/** One try of a proxied request on one server. */
export interface Attempt {
  readonly server: ServerInfo;
  /** 1 for the first try. */
  readonly number: number;
  /**
   * Response headers arrived with this status. `retry`: this try is over (discard the response,
   * forward to the new attempt). `deliver`: send the response, then call `end()` once its body is
   * done (so the server counts as active while it streams).
   */
  responded(status: number, headerMs: number, progress: TryProgress): Decision;
  /** Release the server with this outcome and decide what happens next. Only the first call counts. */
  end(outcome: Outcome, progress: TryProgress): Decision;
}

export interface ForwardOptions {
  /** The request body can be sent again (none, or held in memory). */
  replayableBody: boolean;
}

/** The retry state of one proxied request. */
export interface Forwarding {
  readonly route: ProxyRoute;
  /** The first try, or `undefined` when no server is live (answer 502). */
  first(): Attempt | undefined;
}

// ---------------------------------------------------------------------------
// Status, events, runtime control
// ---------------------------------------------------------------------------

export type ServerState = 'up' | 'down' | 'failed' | 'unhealthy' | 'draining';

export interface HealthStatus {
  /** Result of the last probe. */
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
  /** Epoch ms of the last probe. */
  readonly checkedAt: number;
  readonly consecutiveFails: number;
  readonly consecutivePasses: number;
}

export interface ServerStatus {
  readonly url: string;
  readonly state: ServerState;
  readonly backup: boolean;
  readonly weight: number;
  readonly active: number;
  readonly requests: number;
  readonly responses: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Running total of failed tries. */
  readonly fails: number;
  /** Running total of times the server was marked unavailable. */
  readonly unavailable: number;
  /** Average time to response headers / whole response, ms (successes). */
  readonly headerMs: number;
  readonly totalMs: number;
  readonly health?: HealthStatus;
}

export interface UpstreamStatus {
  readonly balance: BalanceStrategyName;
  readonly servers: readonly ServerStatus[];
}

export interface StatusSnapshot {
  readonly upstreams: Record<string, UpstreamStatus>;
}

export interface ServerPatch {
  weight?: number;
  down?: boolean;
  drain?: boolean;
}

export type StateChangeReason = 'passive' | 'health' | 'admin';

export interface SwitchyardEvents {
  'server:down': { upstream: string; url: string; state: ServerState; reason: StateChangeReason };
  'server:up': { upstream: string; url: string; reason: StateChangeReason };
  'server:added': { upstream: string; url: string };
  'server:removed': { upstream: string; url: string };
  'server:updated': { upstream: string; url: string; patch: ServerPatch };
  retry: { upstream: string; from: string; to: string; attempt: number; reason: string };
  'no-live-upstream': { upstream: string };
  'health:probe': { upstream: string; url: string; ok: boolean; status?: number; error?: string };
  /** One try ended (emitted by the pool on release): feeds the response-time histogram of the metrics. */
  response: { upstream: string; url: string; status?: number; failure?: FailureKind; aborted?: boolean; headerMs?: number; totalMs?: number };
}

export type SwitchyardEventName = keyof SwitchyardEvents;

/** Test hooks: a clock and a random source. */
export interface SwitchyardHooks {
  /** Milliseconds, monotonic. Default `performance.now()` based. */
  now?: () => number;
  /** [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Options for a location created in code (e.g. an adapter's `proxyTo`), applied to one route prefix. */
export interface RouteToOptions extends Partial<Omit<LocationOptions, 'upstream'>> {
  /** The prefix the app's route matched (`'/api'`); requests leaving it are refused. Default `'/'`. */
  prefix?: string;
}

/** A switchyard instance: `createSwitchyard(options)`. */
export interface Switchyard {
  readonly config: ResolvedConfig;
  /** Warnings from nginx import (ignored directives), empty otherwise. */
  readonly warnings: readonly string[];
  /** Match a request against the locations, in nginx's order. */
  match(method: string, url: string): RouteMatch | undefined;
  /** A location for an upstream built in code, validated once (throws naming `where`). */
  createLocation(upstream: string, options?: RouteToOptions, where?: string): Location;
  /** Route a request through a location made by `createLocation`; `undefined` when the path leaves its prefix. */
  route(location: Location, url: string): ProxyRoute | undefined;
  /** The pool by name; throws for an unknown name. */
  upstream(name: string): Upstream;
  /** Start the tries of one proxied request (picking, failover, retry policy and budget). */
  forward(route: ProxyRoute, request: RequestInfo, options: ForwardOptions): Forwarding;
  status(): StatusSnapshot;
  /** Whether X-Forwarded-* sent by this peer address are kept (per `trustProxy`). */
  isTrustedProxy(peerIp: string): boolean;
  addServer(upstream: string, server: ServerOptions | string): void;
  removeServer(upstream: string, url: string): boolean;
  setServer(upstream: string, url: string, patch: ServerPatch): void;
  on<E extends SwitchyardEventName>(event: E, listener: (payload: SwitchyardEvents[E]) => void): this;
  off<E extends SwitchyardEventName>(event: E, listener: (payload: SwitchyardEvents[E]) => void): this;
  /** Stop health checks and timers. */
  close(): Promise<void>;
}
