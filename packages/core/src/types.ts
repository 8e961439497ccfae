/** @module Public types of @switchyard/core: configuration input, resolved configuration, per-request API, status. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duration, FailureKind, RequestInfo } from './base-types.js';
import type { ResolvedSticky, StickyOptions } from './sticky/sticky-types.js';

export type * from './sticky/sticky-types.js';
import type { LocationHooks, ResolvedHooks } from './hooks/hook-types.js';
import type { RequestHeaderPlan } from './http/request-header-plan.js';
import type { CompiledProgram, LocationContent } from './rewrite/program-types.js';
import type { AddHeaderOptions, ExpiresOption, ResponseHeaderPlan } from './added-headers/added-header-types.js';

export type { AddHeaderOptions, ExpiresOption, ResponseHeaderPlan, CompiledAddHeader, ResolvedExpires } from './added-headers/added-header-types.js';
import type { ResolvedMaps } from './maps/map-types.js';
import type { RequestFacts, TryFacts } from './request-facts/facts-types.js';
export type * from './request-facts/facts-types.js';
import type { AccessLogOption, ResolvedAccessLog } from './access-log/resolve-access-log.js';
import type { Admission, LimitZoneOptions, RequestLimitOptions, ResolvedLimits } from './limits/limit-types.js';
export type * from './limits/limit-types.js';

// ---------------------------------------------------------------------------
// Configuration as users write it (validated by createSwitchyard)
// ---------------------------------------------------------------------------

// Duration, RequestInfo and FailureKind live in base-types.ts, which imports nothing of the core: the
// hook, sticky and request-facts types use them without importing this file back (no import cycle).
export type { Duration, RequestInfo, FailureKind } from './base-types.js';

/** nginx `proxy_next_upstream` conditions: a failure kind or an HTTP status. */
export type RetryCondition = FailureKind | number;

export type BalanceStrategyName = 'round-robin' | 'least-conn' | 'least-time' | 'random' | 'random-two' | 'ip-hash' | 'hash';

export interface RetryBudgetOptions {
  /** Retries may be at most this percent of the pool's requests of the last `window` (plus the reserve). Default 20. */
  percent?: number;
  /** How far back requests and retries are counted, 1s to 60s. Default `'10s'`. */
  window?: Duration;
  /** A reserve of retries per second that is always allowed (low traffic): minPerSecond x window. Default 10. */
  minPerSecond?: number;
}

export interface RetryOptions {
  /** What makes a try fail over to the next server. Default `['error', 'timeout']`. */
  on?: readonly RetryCondition[];
  /** Total tries per request including the first; 0 = one per server not `down` (nginx's `peer.tries`). Default 0. */
  tries?: number;
  /** No new try after this long since the request began; 0 = no limit. Default 0. */
  timeout?: Duration;
  /** Also retry POST/PATCH/LOCK once they were sent. Default false. */
  nonIdempotent?: boolean;
  /**
   * Retry budget by rate per pool (Finagle's RetryBudget): retries of tries that reached a server
   * stay under `percent`% of the requests of the last `window` plus `minPerSecond` x window (a try
   * that never reached a server, e.g. connection refused, fails over without it, as in nginx);
   * `false` disables it. Default `{ percent: 20, window: '10s', minPerSecond: 10 }`.
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
  /**
   * An open WebSocket tunnel with no byte in either direction for this long is closed (nginx
   * applies proxy_read_timeout to idle tunnels). Default: the `read` timeout (60s); 0 = none.
   */
  websocketIdle?: Duration;
}

/** TLS versions `tls.minVersion` accepts (Node's names). */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * TLS to `https://` servers (nginx `proxy_ssl_*`): PEM strings or Buffers. Verification is on
 * unless `rejectUnauthorized: false`. Per upstream, and per server field by field over it.
 */
export interface TlsOptions {
  /** Certificate authorities to trust instead of Node's bundle (nginx `proxy_ssl_trusted_certificate`). */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client certificate for mTLS (nginx `proxy_ssl_certificate`); needs `key`. */
  cert?: string | Buffer;
  /** Its private key (nginx `proxy_ssl_certificate_key`). */
  key?: string | Buffer;
  /** Passphrase of an encrypted `key` (nginx `proxy_ssl_password_file`). */
  passphrase?: string;
  /** Name sent as SNI and checked in the certificate (nginx `proxy_ssl_name`); default the url's host name (none for an IP). */
  servername?: string;
  /** Verify the server's certificate. Default true (nginx's `proxy_ssl_verify` default is off). */
  rejectUnauthorized?: boolean;
  /** Oldest TLS version accepted, e.g. `'TLSv1.2'`. Default Node's. */
  minVersion?: TlsVersion;
}

export interface ServerOptions {
  /** `'http://127.0.0.1:8000'`; https is allowed and its certificate is verified; `'unix:/run/app.sock'` for a unix socket. */
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
  /** Takes only requests already bound to it (sticky cookie, route or learned session, hash / ip-hash keys), no new ones. */
  drain?: boolean;
  /** Concurrent requests cap; 0 = unlimited. Default 0. */
  maxConns?: number;
  /** After recovering, weight ramps from 0 to `weight` over this long. Default 0. */
  slowStart?: Duration;
  /** nginx `route=`: this server's sticky value (default: MD5 of its address, as nginx). */
  route?: string;
  /** TLS for this server, field by field over the upstream's `tls` (an https url only). */
  tls?: TlsOptions;
  /** nginx `resolve`: the host name becomes one server per address (A/AAAA), re-resolved at the answer's TTL. */
  resolve?: boolean;
  /** nginx `service=` (with `resolve`): SRV `_service._tcp.<host>`; port and weight from the records. */
  service?: string;
}

/** The HTTP admin API (NGINX Plus's shape) under `path`; writes need the bearer `token` or `authorize`. */
export interface AdminOptions {
  /** e.g. `'/switchyard/api'`: serves `{path}/upstreams[/NAME[/servers[/ID]]]`. */
  path: string;
  /** Bearer token for writes (compared in constant time). */
  token?: string;
  /** Decides writes without (or besides) the token; `false` answers 403. */
  authorize?: (req: RequestInfo) => boolean | Promise<boolean>;
  /**
   * What a POST may add: CIDR ranges (`'10.0.0.0/8'`), addresses, host names (`'api.internal'`,
   * `'*.internal'`) and `unix:` path prefixes (`'unix:/run/app/'`); anything else answers 403.
   * Without it: anything but unix sockets and link-local / cloud metadata addresses
   * (169.254.0.0/16, fe80::/10, 100.100.100.200, fd00:ec2::254, metadata.google.internal).
   */
  allow?: readonly string[];
  /** The last word on a POST that passed `allow`: return a reason (a string) to refuse it with 403. */
  validate?: (change: AdminAddition) => string | undefined | void | Promise<string | undefined | void>;
}

/** A server a client asks the admin API to add, as `admin.validate` sees it. */
export interface AdminAddition {
  readonly upstream: string;
  /** The url as the pool will store it. */
  readonly url: string;
  /** The body as sent (validated like a configured server). */
  readonly server: Readonly<Record<string, unknown>>;
  readonly request: RequestInfo;
}

export interface HashOptions {
  /** nginx variables (`$request_uri`, `$remote_addr`, `$http_x`, `$cookie_x`, `$arg_x`) or a function. */
  key: string | ((req: RequestInfo) => string);
  /** ketama consistent hashing, as nginx `hash ... consistent`. Default false. */
  consistent?: boolean;
}

/**
 * Passive health limits (docs/security.md). nginx has neither: its passive health may mark every
 * server failed, and then the upstream answers 502 until `failTimeout` passes.
 */
export interface PassiveHealthOptions {
  /**
   * Envoy's panic threshold: when fewer than `belowPercent` % of the primaries (servers not `down`)
   * are healthy (not passively failed, not failed by active checks), and the backups too, picks
   * ignore passive failures and balance over all of them. `false` (the default): off.
   */
  panic?: { belowPercent: number } | false;
  /** Passive health never marks more than this share of a tier failed (at least one server may be). Default 100: no cap. */
  maxEjectedPercent?: number;
}

export interface ResolvedPassiveHealth {
  /** 0: no panic mode. */
  readonly panicBelowPercent: number;
  /** 100: no cap. */
  readonly maxEjectedPercent: number;
}

/** Hooks given on an upstream are the defaults of its locations. */
export interface UpstreamOptions extends LocationHooks {
  /** May be empty or omitted when `discover` is given. */
  servers?: ReadonlyArray<ServerOptions | string>;
  /** Default `'round-robin'`. */
  balance?: BalanceStrategyName;
  /** Required for `balance: 'hash'`. */
  hash?: HashOptions;
  retry?: RetryOptions;
  healthCheck?: HealthCheckOptions;
  timeouts?: TimeoutOptions;
  /** Idle upstream connections kept per server. Default 32. */
  keepalive?: number;
  /** Session persistence (nginx `sticky cookie | route | learn`). */
  sticky?: StickyOptions;
  /** Limits on passive health (Envoy's panic threshold and max ejection percent). Default: none, as nginx. */
  passive?: PassiveHealthOptions;
  /** TLS to the upstream's https servers (CA, client certificate, SNI name, verification). */
  tls?: TlsOptions;
  /** DNS for this upstream's `resolve` servers, field by field over the top-level `resolver`. */
  resolver?: ResolverOptions;
  /** Feeds the server list from anywhere (Consul, a file...): each `update(servers)` replaces it. */
  discover?: DiscoverHook;
  /**
   * NGINX Plus `queue N timeout=T`: when every server that could take a request is at its `maxConns`,
   * the request waits (FIFO) for a free slot instead of getting 502 at once. Default off.
   */
  queue?: QueueOptions | false;
  /**
   * The HTTP version spoken to the servers: `'h1'` (default, HTTP/1.1 keep-alive), `'h2'` (HTTP/2 over
   * TLS, negotiated by ALPN: https servers) or `'h2c'` (cleartext HTTP/2 with prior knowledge: http
   * servers, as gRPC servers usually listen). nginx: `grpc_pass grpc://` is h2c, `grpcs://` is h2.
   */
  protocol?: UpstreamProtocol;
}

/** See `UpstreamOptions.protocol`. */
export type UpstreamProtocol = 'h1' | 'h2' | 'h2c';

/** An upstream's wait queue for servers at `maxConns`. */
export interface QueueOptions {
  /** Most requests waiting at once (1-100000); one more is refused at once. */
  size: number;
  /** Longest wait before the request is refused. Default `'60s'` (NGINX Plus). */
  timeout?: Duration;
  /** The status of a refused request: 503 (default, as HAProxy and Envoy) or 502 (NGINX Plus, and imported configs). */
  status?: 502 | 503;
}

export interface LocationOptions extends LocationHooks {
  /**
   * The pool this location proxies to (nginx `proxy_pass`). Optional when the location answers
   * itself: files (`root`/`alias`/`tryFiles`), a `return`, or `rewrite` steps that always end in one.
   */
  upstream?: string;
  /**
   * nginx `root`: serve files from this directory, the request's path appended (`/data` + `/a/b.css`).
   * Served by the framework's maintained plugin (`@fastify/static`, `serve-static`: optional peers,
   * loaded only when a location serves files). See docs/nginx-files.md.
   */
  root?: string;
  /** nginx `alias`: the location's prefix replaced by this path (`location /i/ { alias /data/; }`); in a regex location, with its captures (`/data/$1`). */
  alias?: string;
  /** nginx `index`: the files tried, in order, for a path ending in `/`. Default `['index.html']`. */
  index?: string[];
  /**
   * nginx `try_files`: the files tried in order (`'$uri'`, `'$uri/'`, `'/maintenance.html'`), then
   * the last entry: a URI (matched again), `'=404'` (a status) or `'@name'` (a named location, e.g.
   * the one that proxies to the app). Needs `root` or `alias` (else nginx's default root is used: refused).
   */
  tryFiles?: string[];
  /** nginx `return` in a location: answered after the `rewrite` steps (variables: see docs/nginx-files.md). */
  return?: ReturnOptions;
  /** nginx's rewrite module in this location, in order: `rewrite`, `return`, `set`, `break` and `if`. */
  rewrite?: RewriteStep[];
  /** nginx `proxy_pass http://pool/new/;`: the matched prefix is replaced by this. */
  rewritePrefix?: string;
  /** Forward the client's Host header instead of the upstream's. Default false. */
  preserveHost?: boolean;
  /**
   * Request headers sent to the upstream (nginx `proxy_set_header`). Values may use nginx variables
   * (`$host`, `$remote_addr`, `$proxy_add_x_forwarded_for`, `$http_NAME`...; see docs/nginx-headers.md),
   * compiled at config time; a value that is or evaluates to `''` removes the header. `Host` may be
   * set (over `preserveHost`); framing and hop-by-hop headers may not.
   */
  headers?: Record<string, string>;
  /**
   * The header defaults: `'switchyard'` (default: X-Forwarded-* written, Host the picked server's,
   * upstream Date/Server passed) or `'nginx'` (what `parseNginxConfig` writes: the client's headers
   * untouched plus `headers` only, Host `$proxy_host`, upstream Date/Server hidden). docs/nginx-headers.md has the table.
   */
  headerDefaults?: 'switchyard' | 'nginx';
  /**
   * Write X-Forwarded-For/-Proto/-Host and X-Real-IP, replacing what an untrusted client sent.
   * Default true (false with `headerDefaults: 'nginx'`); false sends the client's headers untouched plus `headers` only.
   */
  forwardedHeaders?: boolean;
  /** Upstream response headers never sent to the client, over the default X-Pad and X-Accel-* instructions (nginx `proxy_hide_header`). */
  hideHeaders?: string[];
  /** Hidden-by-default response headers passed to the client anyway (nginx `proxy_pass_header`). */
  passHeaders?: string[];
  /** Overrides the upstream's retry options field by field. */
  retry?: RetryOptions;
  /** Overrides the upstream's timeouts field by field. */
  timeouts?: TimeoutOptions;
  /** Proxy `Upgrade: websocket` requests. Default true. */
  websocket?: boolean;
  /**
   * nginx `internal`: a client request whose match is this location gets 404 (the upstream sees
   * nothing); it is reached only through an upstream's `X-Accel-Redirect`. Locations nested in an
   * internal one are internal too. Default false.
   */
  internal?: boolean;
  /**
   * Follow an `X-Accel-Redirect: /uri` (or `@name`) of this location's upstream responses: the
   * URI is matched against the locations again (internal ones included) and its answer is the
   * client's. Default: the top-level `accelRedirect`.
   */
  accelRedirect?: boolean;
  /**
   * nginx `absolute_redirect`: the slash redirect (`/api` -> `/api/`) carries an absolute
   * `Location: http://HOST:PORT/api/` built from the Host header and the listening port (port 80
   * / 443 left out). `{ serverName }` writes that name instead of the Host header
   * (`server_name_in_redirect on`), `{ port: false }` leaves the port out (`port_in_redirect off`).
   * Default: the top-level `absoluteRedirect`.
   */
  absoluteRedirect?: boolean | { serverName?: string; port?: boolean };
  /**
   * nginx `proxy_redirect`: rewrite the `Location` and `Refresh` headers of upstream answers.
   * `'default'`: the proxy_pass URL (`http://UPSTREAM` + `rewritePrefix`, or `/` without one)
   * becomes the location's prefix (or `/`), as nginx's `proxy_redirect default`; a list: each
   * `from` prefix becomes its `to` (the first that matches, as nginx); false: none. A rewritten
   * `Location` starting with `/` is made absolute as `absoluteRedirect` says. Default: the
   * top-level `redirect` (false; the nginx import sets `'default'`).
   */
  redirect?: ProxyRedirectOption;
  /**
   * nginx nested locations: searched, in nginx's order, only when this location matched (regexes
   * nested here are tried before the outer regexes). Keys are nginx-syntax like the top-level
   * ones; a nested prefix must start with this location's prefix. Options are not inherited
   * (`internal` is). Not for exact or named locations.
   */
  locations?: Record<string, LocationOptions | string>;
  /** nginx `client_max_body_size` for this location (`'10m'`, bytes, 0 = unlimited). Default: the server's, else the top-level one. */
  maxBodySize?: number | string;
  /** nginx `limit_req`, `limit_conn`, `allow`/`deny`, `auth_basic`, `satisfy` here, field by field over the enclosing level's. See docs/request-limits.md. */
  limits?: RequestLimitOptions;
  /**
   * nginx `add_header`: headers added to every answer of the location (proxied, files, `return`,
   * redirects) with status 200, 201, 204, 206, 301, 302, 303, 304, 307 or 308, or any status with
   * `always`. A list given here replaces the enclosing level's as a whole (nginx); `[]` drops it. See docs/nginx-files.md.
   */
  addHeaders?: AddHeaderOptions[];
  /** nginx `expires`: Expires and Cache-Control for the same statuses (`'1d'`, `'max'`, `'epoch'`, `'-1h'`, `'off'`); default the enclosing level's. */
  expires?: ExpiresOption;
}

/** A sink for one-line state-change messages (pino, console, ...). */
export interface SwitchyardLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Optional: details logged once at start (the nginx import warnings one by one). */
  debug?(msg: string): void;
}

/** The status page: its path, and the graphs' history (one sample per `interval`, the last `samples` kept). */
export interface StatusOptions {
  path: string;
  /** Default `{ interval: '10s', samples: 60 }` (the last 10 minutes); `false`: no history, no graphs. */
  history?: false | { interval?: Duration; samples?: number };
}

export interface SwitchyardOptions {
  upstreams: Record<string, UpstreamOptions | ReadonlyArray<ServerOptions | string>>;
  /** nginx-syntax keys (`'/api/'`, `'= /x'`, `'^~ /s/'`, `'~ re'`, `'~* re'`); a string value names the upstream. */
  locations?: Record<string, LocationOptions | string>;
  /** Keep client-sent X-Forwarded-* from these peers (true = any). Default false. */
  trustProxy?: boolean | readonly string[];
  /** Serve the status JSON/HTML at this path. Default off. */
  status?: StatusOptions;
  /** Serve Prometheus metrics at this path (needs the optional peer `prom-client`). Default off. */
  metrics?: { path: string };
  /** The HTTP admin API. Default off. */
  admin?: AdminOptions;
  /** Share runtime state with the other `node:cluster` workers (needs `clusterPrimary()` in the primary). Default false. */
  cluster?: boolean;
  /**
   * nginx's `worker_shutdown_timeout`: at close, proxied requests still open (long-polls, SSE)
   * get this long to finish, then are cut. Default `'10s'`; 0 cuts them at once.
   */
  closeTimeout?: Duration;
  /** nginx `resolver` in http {}: how `resolve` servers are looked up. Default: the system's DNS servers. */
  resolver?: ResolverOptions;
  /**
   * Follow upstreams' `X-Accel-Redirect` (the default of every location's `accelRedirect`).
   * Default: true when some location is `internal` or named (`@name`: reachable no other way),
   * false otherwise, so that an upstream cannot send requests elsewhere unless the configuration
   * was written for it. nginx follows it always; the nginx import sets it to true.
   */
  accelRedirect?: boolean;
  /**
   * The default of every location's `absoluteRedirect` (nginx `absolute_redirect`). Default false:
   * a relative `Location: /api/`, right whatever proxy, TLS terminator or port mapping is in front
   * (an absolute one built from switchyard's own port is wrong behind them). The nginx import sets
   * it to true, as nginx's default.
   */
  absoluteRedirect?: boolean | { serverName?: string; port?: boolean };
  /**
   * nginx `access_log` / `log_format`: one line (or, on Fastify, fields of its request log line)
   * per proxied request with the upstream variables. Default off. See docs/observability.md.
   */
  accessLog?: AccessLogOption;
  /**
   * OpenTelemetry (needs the optional peer `@opentelemetry/api` and an SDK the app registers): a
   * client span per try with `traceparent` sent upstream, the upstream facts on the active server
   * span. Default false.
   */
  tracing?: boolean;
  /**
   * Virtual hosts (nginx `server {}` blocks): locations scoped by the request's Host, picked with
   * nginx's `server_name` rules. Instead of the top-level `locations` (the single-site shape). See docs/nginx-sites.md.
   */
  servers?: VirtualServerOptions[];
  /**
   * nginx `client_max_body_size`: a request body larger than this is answered 413 before any
   * upstream is picked (`'1m'`, `'512k'`, bytes; 0 = unlimited). Default unlimited (an imported nginx config: nginx's 1m).
   */
  maxBodySize?: number | string;
  /** The default of every location's `redirect` (nginx `proxy_redirect`). Default false; the nginx import sets `'default'`. */
  redirect?: 'default' | false;
  /** nginx's rewrite module at server level for the single-site shape (with `servers`, each server's `rewrite`). */
  rewrite?: RewriteStep[];
  /**
   * Forward client request headers whose names contain an underscore (`X_User`). Default true;
   * the nginx import sets false, as nginx's `underscores_in_headers off` drops them (true when the
   * file says `underscores_in_headers on` or `ignore_invalid_headers off`).
   */
  underscoresInHeaders?: boolean;
  /** nginx `limit_req_zone` / `limit_conn_zone`: the zones `limits` name, shared by every location naming one. See docs/request-limits.md. */
  limitZones?: Record<string, LimitZoneOptions>;
  /** The `limits` of every location (nginx's http level), which servers and locations override field by field. */
  limits?: RequestLimitOptions;
  /** nginx's http-level `add_header`: the default of every server and location (see `LocationOptions.addHeaders`). */
  addHeaders?: AddHeaderOptions[];
  /** nginx's http-level `expires`: the default of every server and location. */
  expires?: ExpiresOption;
  /**
   * nginx `map`: variables (the key, without `$`) whose value another value picks, usable in
   * `headers` and rewrite steps (not yet in the access log format). See docs/configuration.md ("maps").
   */
  maps?: Record<string, MapOptions>;
}

/**
 * One nginx `map SOURCE $name { ... }`: `source` is expanded per request and looked up in `values`
 * (exact keys compared case-insensitively, then with `hostnames` the wildcards, then `~re` /
 * `~*re` keys in the order written); the value found (or `default`, else `''`) is the variable's,
 * with its own variables expanded (a regex key's captures as `$1`...). Evaluated when first used,
 * once per request (every use with `volatile`).
 */
export interface MapOptions {
  /** The value looked up: `'$http_x_forwarded_proto'`, `'$host'`, `'$request_method:$uri'`. */
  source: string;
  /** Key to value. A leading `\` makes a key literal (`'\\~x'`); with `hostnames`: `'*.example.com'`, `'.example.com'`, `'www.example.*'`. */
  values?: Record<string, string>;
  /** The value when no key matches. Default `''`. */
  default?: string;
  /** nginx `hostnames`: keys may be wildcard host names, and a trailing dot of the source is ignored. Default false. */
  hostnames?: boolean;
  /** nginx `volatile`: evaluated again at every use instead of once per request. Default false. */
  volatile?: boolean;
}

/** One virtual host: nginx's `server { server_name ...; location ... }`. */
export interface VirtualServerOptions {
  /** nginx `server_name` entries: `'example.com'`, `'*.example.com'`, `'.example.com'`, `'www.example.*'`, `'~^(www\\.)?x\\.org$'`. */
  names?: readonly string[];
  /** nginx `listen ... default_server`: answers Hosts no server names (and requests without Host). Default: the first server. */
  default?: boolean;
  /** This host's locations, as the top-level `locations`. */
  locations?: Record<string, LocationOptions | string>;
  /** nginx `return` at server level: every request to this host gets this answer, no location is looked at. */
  return?: ReturnOptions;
  /** This host's default body limit (over the top-level `maxBodySize`). */
  maxBodySize?: number | string;
  /** nginx's rewrite module at server level (run before the location is looked up): `rewrite`, `return`, `set`, `break`, `if`. */
  rewrite?: RewriteStep[];
  /** This host's `limits`, over the top-level ones field by field. */
  limits?: RequestLimitOptions;
  /** nginx's server-level `add_header`: its `return`/`rewrite` answers' and the default of its locations (replaces the top-level list). */
  addHeaders?: AddHeaderOptions[];
  /** nginx's server-level `expires`, over the top-level one. */
  expires?: ExpiresOption;
}

/**
 * One step of nginx's rewrite module (ngx_http_rewrite_module), run in order:
 * - `{ rewrite: '^/old/(.*)$', to: '/new/$1', flag? }`: nginx `rewrite regex replacement [flag]`
 *   (`last`: look the location up again; `break`: stay in this location; `redirect` 302 /
 *   `permanent` 301; a replacement starting `http://`, `https://` or `$scheme` redirects too);
 * - `{ return: { status, url? | body? } }`: answer now;
 * - `{ set: 'name', value: '...' }`: nginx `set $name value`;
 * - `{ break: true }`: stop the steps here;
 * - `{ if: '$host = www.example.com', then: [...] }`: nginx `if (condition) { ... }`, condition
 *   written as in nginx: `$var`, `$var = text`, `$var != text`, `$var ~ re`, `$var ~* re`, `$var !~ re`,
 *   `$var !~* re`, `-f $path`, `!-f $path`, `-d`, `!-d`, `-e`, `!-e`.
 */
export type RewriteStep =
  | { rewrite: string; to: string; flag?: 'last' | 'break' | 'redirect' | 'permanent' }
  | { return: ReturnOptions }
  | { set: string; value: string }
  | { break: true }
  | { if: string; then: RewriteStep[] };

/** nginx's `return code [url|text]`: `url` with `$host`, `$request_uri`, `$server_name`, `$scheme`, `$uri`, `$args`. */
export interface ReturnOptions {
  /** 200-599, or nginx's 444: close the client's connection without writing anything (no `url`, no `body`). */
  status: number;
  /** For 301, 302, 303, 307, 308: the Location (variables expanded per request). */
  url?: string;
  /** For other statuses: the body text (variables expanded per request). */
  body?: string;
}

/**
 * What an import warning means: `'harmless'`, switchyard does here what nginx does or the directive
 * is about nginx's own process (`user`, `worker_processes`, `proxy_http_version 1.1`, ...);
 * `'changes'`, a request or a response differs from what nginx would do (the text says what to use).
 */
export type ImportNoteKind = 'harmless' | 'changes';

/** One import warning: where it is (`file` only for an included file), its kind and its text (without the place). */
export interface ImportNote {
  file?: string;
  line: number;
  kind: ImportNoteKind;
  text: string;
}

/** Result of `parseNginxConfig`. */
export interface NginxParseResult {
  options: SwitchyardOptions;
  /** Every note as one line, `line 12: ...` (`conf.d/app.conf line 3: ...` in an included file), in the order of `notes`. */
  warnings: string[];
  /** The same warnings with their line and kind (absent on results made by hand before it existed). */
  notes?: ImportNote[];
}

/**
 * Everything `createSwitchyard` and the adapters accept; `{ nginx, strict: true }` refuses the
 * import's `'changes'` warnings as `parseNginxConfig`'s `strict` does, and `prefix` is its `prefix`
 * (nginx's `-p`: relative roots and the default root `<prefix>/html`).
 */
export type SwitchyardInput = SwitchyardOptions | NginxParseResult | { nginx: string; strict?: boolean; prefix?: string };

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
  readonly budget: ResolvedRetryBudget | false;
}

export interface ResolvedRetryBudget {
  readonly percent: number;
  readonly windowMs: number;
  readonly minPerSecond: number;
}

export interface ResolvedTimeouts {
  /** 0 = none. */
  readonly connectMs: number;
  readonly readMs: number;
  readonly sendMs: number;
  /** Set when `websocketIdle` was given; otherwise idle tunnels use `readMs`, as nginx. */
  readonly websocketIdleMs?: number;
}

/** Validated TLS settings; a field left undefined inherits (server over upstream) or takes Node's default. */
export interface ResolvedTls {
  readonly ca?: ReadonlyArray<string | Buffer>;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly passphrase?: string;
  readonly servername?: string;
  readonly rejectUnauthorized?: boolean;
  readonly minVersion?: TlsVersion;
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
  /** nginx `route=` (sticky value); absent: MD5 of the address. */
  readonly route?: string | undefined;
  /** The server's own `tls` (merged over the upstream's when the server joins its pool). */
  readonly tls?: ResolvedTls;
  /** A resolved/discovered address: the name it came from (TLS SNI and certificate checks use it). */
  readonly name?: string;
  /** Host header of a resolved address (the name as written, e.g. `api.internal:8080`). */
  readonly host?: string;
  /** Where the server came from; undefined means 'config'. Only 'config' and 'api' servers can be edited one by one (admin API 409 otherwise). */
  readonly source?: ServerSource;
}

/** Where a server came from: the configuration, a runtime call (JS or admin API), DNS resolution or `discover`. */
export type ServerSource = 'config' | 'api' | 'dns' | 'discover';

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
  readonly sticky?: ResolvedSticky | undefined;
  /** Default hooks of the upstream's locations; `undefined` when none. */
  readonly hooks?: ResolvedHooks | undefined;
  /** The upstream's `tls`, undefined when not given. */
  readonly tls?: ResolvedTls;
  /** `resolve` servers and the `discover` hook; absent for a fixed list. */
  readonly dynamic?: ResolvedDynamicServers;
  /** The wait queue at `maxConns`; absent when off. */
  readonly queue?: ResolvedQueue;
  /** Absent: `'h1'`. */
  readonly protocol?: UpstreamProtocol;
  /** `passive`; absent when not given (nginx's behaviour). */
  readonly passive?: ResolvedPassiveHealth;
}

export interface ResolvedQueue {
  readonly size: number;
  readonly timeoutMs: number;
  readonly status: 502 | 503;
}

/** A request the upstream queue will not serve: answer `status` (500 when the pick threw: `error` is what was thrown). */
export interface QueueRefusal {
  readonly action: 'fail';
  readonly status: 500 | 502 | 503;
  readonly reason: string;
  readonly error?: unknown;
}

/** A place in an upstream queue: `cancel()` leaves it (the client went away); nothing is settled after. */
export interface QueueTicket {
  cancel(): void;
}

/** An upstream queue's counters (status JSON, metrics). */
export interface QueueStatus {
  readonly size: number;
  /** Waiting now. */
  readonly waiting: number;
  /** Ever queued. */
  readonly total: number;
  /** Refused after `timeout`. */
  readonly timedOut: number;
  /** Refused at once because the queue was full. */
  readonly rejected: number;
}

/** `named` is an `@name` location: reached only through `X-Accel-Redirect: @name`, never matched. */
export type LocationKind = 'exact' | 'prefix-priority' | 'prefix' | 'regex' | 'regex-i' | 'named';

/** A location with its effective options (location retry/timeouts merged over the upstream's). */
export interface Location {
  /** The key as written, e.g. `'^~ /static/'`. */
  readonly key: string;
  readonly kind: LocationKind;
  /** The path or the regex source. */
  readonly pattern: string;
  /** The pool it proxies to; `undefined` for a location that answers itself (`content`). */
  readonly upstream: string | undefined;
  /** What the location does besides proxying: files, a return, rewrite steps (see `LocationOptions.root`). */
  readonly content?: LocationContent | undefined;
  readonly rewritePrefix: string | undefined;
  readonly preserveHost: boolean;
  /** As configured (lower-case names), values with their nginx variables unexpanded. */
  readonly headers: Readonly<Record<string, string>>;
  /** `'nginx'`: Host defaults to `$proxy_host` (see `LocationOptions.headerDefaults`). Absent means `'switchyard'`. */
  readonly headerDefaults?: 'switchyard' | 'nginx';
  /** `false`: no X-Forwarded-* / X-Real-IP written, client's passed untouched. Absent means true. */
  readonly forwardedHeaders?: boolean;
  /** `headers` compiled (absent on a Location built by hand: compiled on first use). */
  readonly requestHeaders?: RequestHeaderPlan;
  /** Upstream response headers the client never sees (lower-case); absent: the defaults. */
  readonly hiddenHeaders?: ReadonlySet<string>;
  readonly retry: ResolvedRetry;
  readonly timeouts: ResolvedTimeouts;
  readonly websocket: boolean;
  /** The effective hooks (the location's over its upstream's); `undefined` when none is set. */
  readonly hooks?: ResolvedHooks | undefined;
  /** Client requests matching it get 404 (nginx `internal`); named locations are always internal. */
  readonly internal?: boolean;
  /** Follow the upstream's `X-Accel-Redirect`. */
  readonly accelRedirect?: boolean;
  /** The slash redirect's `Location`: relative (`undefined`) or absolute. */
  readonly absoluteRedirect?: { readonly serverName: string | undefined; readonly port: boolean } | undefined;
  /** `redirect` resolved to its rules (`'default'` spelt out); absent when off. */
  readonly redirects?: readonly ProxyRedirectRule[] | undefined;
  /** Nested locations, in config order. */
  readonly locations?: readonly Location[];
  /** Largest request body in bytes (nginx `client_max_body_size`); 0 or absent = unlimited. */
  readonly maxBodyBytes?: number;
  /** The request limits in effect (merged over the outer levels); absent when none is set. */
  readonly limits?: ResolvedLimits;
  /** `addHeaders` and `expires` in effect (inherited as nginx); absent when nothing is added. */
  readonly responseHeaders?: ResponseHeaderPlan;
}

export interface ResolvedConfig {
  readonly upstreams: ReadonlyMap<string, ResolvedUpstream>;
  /** In config order. */
  readonly locations: readonly Location[];
  readonly trustProxy: boolean | readonly string[];
  readonly status: { readonly path: string; readonly history: { readonly intervalMs: number; readonly samples: number } | undefined } | undefined;
  readonly metrics: { readonly path: string } | undefined;
  readonly admin?: Readonly<AdminOptions> | undefined;
  /** Share runtime state across node:cluster workers. */
  readonly cluster?: boolean;
  /** Warnings carried over from nginx parsing. */
  readonly warnings: readonly string[];
  /** Grace for open proxied requests at close, ms. */
  readonly closeTimeoutMs: number;
  /** The top-level `resolver` (for names added at run time to upstreams without their own). */
  readonly resolver?: ResolvedResolver;
  /** The access log, undefined when off. */
  readonly accessLog?: ResolvedAccessLog | undefined;
  /** OpenTelemetry spans per try (`tracing: true`). */
  readonly tracing?: boolean;
  /** The virtual hosts of `servers` (their locations are also in `locations`); `undefined` for the single-site shape. */
  readonly servers?: readonly ResolvedVirtualServer[] | undefined;
  /** `underscoresInHeaders` (default true): false drops client headers with `_` in their names. */
  readonly underscoresInHeaders: boolean;
  /** The single-site shape's server-level rewrite steps, compiled; absent when none. */
  readonly rewrite?: CompiledProgram | undefined;
  /** The top-level `absoluteRedirect` (what a server-level `return` or rewrite redirect to `/...` uses); absent: relative. */
  readonly absoluteRedirect?: Location['absoluteRedirect'];
  /** The top-level `addHeaders`/`expires` (the single-site shape's server-level answers get them); absent when none. */
  readonly responseHeaders?: ResponseHeaderPlan;
  /** `maps` validated, by lower-case name; absent when none. */
  readonly maps?: ResolvedMaps | undefined;
}

/** A validated virtual host. */
export interface ResolvedVirtualServer {
  /** The names, lowercased as nginx compares them. */
  readonly names: readonly string[];
  readonly default: boolean;
  readonly locations: readonly Location[];
  readonly return?: Readonly<ReturnOptions> | undefined;
  /** Server-level rewrite steps, compiled; absent when none. */
  readonly rewrite?: CompiledProgram | undefined;
  /** The server's `addHeaders`/`expires` over the top level's; absent when none. */
  readonly responseHeaders?: ResponseHeaderPlan;
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
  readonly internal?: undefined;
}

/** `sy.match()` for nginx's slash redirect: answer 301 with this Location (see `redirectLocation`). */
export interface RedirectRoute {
  readonly location: Location;
  /** Path (+ query) to redirect to, e.g. `/api/?x=1`. */
  readonly redirect: string;
  readonly internal?: undefined;
}

/** `sy.match()` for a client request whose location is `internal`: answer 404, send nothing upstream. */
export interface InternalRoute {
  readonly location: Location;
  readonly internal: true;
  readonly redirect?: undefined;
}

export type RouteMatch = ProxyRoute | RedirectRoute | InternalRoute;

/** One `proxy_redirect FROM TO;`: a `Location`/`Refresh` value starting with `from` gets `to` instead of that prefix. */
export interface ProxyRedirectRule {
  readonly from: string;
  readonly to: string;
}

/** A location's `redirect` option (nginx `proxy_redirect default | off | FROM TO`). */
export type ProxyRedirectOption = 'default' | false | ReadonlyArray<{ from: string; to: string }>;

/** What to do with an upstream response carrying `X-Accel-Redirect` (`sy.accelRedirect`). */
export type AccelRedirect =
  /**
   * Discard the response and proxy `route` with `next.method` (GET, HEAD staying HEAD; a named
   * location keeps the method) and no body; `next` is the state for that route's response.
   */
  | { readonly action: 'proxy'; readonly route: ProxyRoute; readonly next: AccelState }
  /** The URI reached a slash redirect: answer 301 (add `keep`). */
  | { readonly action: 'redirect'; readonly route: RedirectRoute; readonly keep: AccelKeptHeaders }
  /** No location for the URI, an unsafe URI (404) or more than 10 redirects (500). */
  | { readonly action: 'answer'; readonly status: 404 | 500; readonly reason: string; readonly keep: AccelKeptHeaders };

/** Where a request is in its chain of `X-Accel-Redirect`s. */
export interface AccelState {
  /** The method the current route was sent with (the client's at first). */
  readonly method: string;
  /** The URI now current: the client's request target at first, then the last redirect's. */
  readonly url: string;
  /** Redirects already followed (0 for the client's own request). */
  readonly followed: number;
  /** The headers kept from the redirecting responses (add them to the final one with `withAccelKept`). */
  readonly kept?: AccelKeptHeaders;
}

/** Response headers of the redirecting responses that nginx keeps for the final one (Set-Cookie, Cache-Control...). */
export type AccelKeptHeaders = Readonly<Record<string, string | readonly string[]>>;

/** The client connection a slash redirect is written for (absolute `Location`). */
export interface RedirectRequest {
  /** The request's Host header. */
  readonly host: string | undefined;
  /** The local address and port of the client's connection (`socket.localAddress`, `localPort`). */
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** TLS connection (https, default port 443). */
  readonly encrypted: boolean;
}
/** `sy.match()` for an nginx `return` (of a server, a location, a rewrite's redirect, or a file lookup's 403/404/405/500): answer this status, Location and body. */
export interface ReturnRoute {
  readonly return: { readonly status: number; readonly location?: string; readonly body?: string };
  /** The location that answered (absent for a server-level `return`). */
  readonly location?: Location | undefined;
  /** A server-level answer's `addHeaders`/`expires` (the server's); a location's answer has its location's. */
  readonly responseHeaders?: ResponseHeaderPlan | undefined;
  readonly redirect?: undefined;
  readonly internal?: undefined;
}

/**
 * `sy.matchSite()` for a request whose answer needs the file system (a location with `root`,
 * `alias`, `tryFiles`, or an `if (-f ...)`): pass it to `sy.resolveFiles()`, which looks and
 * gives the final answer. `uri` is where the lookup starts.
 */
export interface FilesRoute {
  /** The location being processed (absent when a server-level `if (-f ...)` asks first). */
  readonly location: Location | undefined;
  readonly files: { readonly uri: string };
  readonly redirect?: undefined;
  readonly internal?: undefined;
}

/** `sy.resolveFiles()`: serve this file (GET or HEAD). `path` is relative to `root`, `/`-separated, never leaves it. */
export interface FileRoute {
  readonly location: Location;
  readonly file: { readonly root: string; readonly path: string };
  readonly redirect?: undefined;
  readonly internal?: undefined;
}

/** `sy.matchSite()`: a route, the `return` of the virtual host the request's Host picked, or a lookup to finish with `sy.resolveFiles()`. */
export type SiteMatch = RouteMatch | ReturnRoute | FilesRoute | FileRoute;

/** `sy.resolveFiles()`: what a request that needed the file system gets (`undefined`: the app's own routes). */
export type FilesAnswer = Exclude<SiteMatch, FilesRoute> | undefined;

/** What `matchSite` may look at besides the method, URL, Host and scheme (nginx `$http_*`, `$cookie_*`, `$remote_addr` in `rewrite`/`if`). */
export interface SiteRequestFacts {
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly remoteAddress?: string | undefined;
}

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
  /** For `unix:/path` servers: the socket file to connect to (then `hostname` is `localhost`, `host` the upstream's name). */
  readonly socketPath?: string;
  /** Effective TLS settings of an https server (the server's over the upstream's); undefined when none are set. */
  readonly tls?: ResolvedTls;
  /** Set for a resolved/discovered address: the host name it came from, used for TLS SNI and certificate checks. */
  readonly name?: string;
  /** The upstream speaks HTTP/2 to this server (`protocol: 'h2'` over TLS, `'h2c'` in clear text); absent for HTTP/1.1. */
  readonly http2?: true;
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
  /**
   * Statuses that count as a server failure for this request when the caller moves on from them
   * (`release({ status, next: true })`; a location's `retry.on`); default the upstream's.
   */
  failOn?: ReadonlySet<number>;
  /** `false`: ignore the upstream's sticky binding for this pick (balance as unbound). Default true. */
  sticky?: boolean;
}

/**
 * What happened to one try, reported exactly once through `release()`. A status is a success: it is
 * what the client got. It is a failure only with `next: true`, when the caller leaves the response
 * for another server (nginx's ngx_http_upstream_next) and the status is in `failOn` (default the
 * upstream's `retry.on`), 403 and 404 never.
 */
export type Outcome =
  | { status: number; headerMs?: number; totalMs?: number; next?: boolean; failure?: undefined; aborted?: undefined }
  | { failure: FailureKind; headerMs?: number; totalMs?: number; status?: undefined; aborted?: undefined }
  /** The client went away first (nginx 499): neither success nor failure. */
  | { aborted: true; headerMs?: number; totalMs?: number; status?: undefined; failure?: undefined };

export interface Pick {
  readonly server: ServerInfo;
  /** Report the outcome; the first call counts, later calls are ignored. */
  release(outcome: Outcome): void;
  /**
   * Sticky sessions: call with the upstream's response headers when delivering this try's response.
   * Learns the session (`sticky.learn`) and returns the `Set-Cookie` value to add (`sticky.cookie`).
   */
  responseCookie(headers: IncomingHttpHeaders): string | undefined;
  /** With `sticky`: `hit` when the request's binding chose the server, `miss` when it was balanced. */
  readonly sticky?: 'hit' | 'miss' | undefined;
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
  /** Send the upstream's response as it is (it counts as a success, whatever its status). */
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
  /** The sticky `Set-Cookie` value to add to the response being delivered (see `Pick.responseCookie`). */
  responseCookie(headers: IncomingHttpHeaders): string | undefined;
  /** This try's entry in the request's facts, when the request records them (`ForwardOptions.facts`). */
  readonly facts?: TryFacts | undefined;
}

export interface ForwardOptions {
  /** The request body can be sent again (none, or held in memory). */
  replayableBody: boolean;
  /**
   * The caller waits in the upstream's queue when `first()` finds every server at `maxConns`
   * (it then calls `wait()`). With it, `first()` also queues behind requests already waiting, so
   * the queue stays first come, first served. Default false.
   */
  queue?: boolean;
  /** Record every try into these facts (made by `createRequestFacts`); leave out when nothing reads them. */
  facts?: RequestFacts | undefined;
}

/** The retry state of one proxied request. */
export interface Forwarding {
  readonly route: ProxyRoute;
  /** The first try, or `undefined` when no server is live (answer 502) or, with `queue`, the request should `wait()`. */
  first(): Attempt | undefined;
  /**
   * After `first()` returned undefined (with `ForwardOptions.queue`): wait in the upstream's queue.
   * `undefined`: the request cannot wait (no queue, or no server could take it even when free):
   * answer 502 as before. A `QueueRefusal` now: the queue is full. A ticket: `done` is called
   * exactly once later with the first try or a refusal, unless the ticket is cancelled first.
   */
  wait(done: (result: Attempt | QueueRefusal) => void): QueueTicket | QueueRefusal | undefined;
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
  /** A resolved/discovered address: the name it came from. */
  readonly name?: string;
  /** With `status` on: the last samples, oldest first (see `StatusSnapshot.history`). */
  readonly history?: ServerHistory;
}

/** One value per sample interval, oldest first; every series of a snapshot has `history.samples` entries. */
export interface ServerHistory {
  /** Requests sent to the server in the interval (divide by the interval for a rate). */
  readonly requests: readonly number[];
  /** Median and 99th percentile of the interval's response times, ms (a bucket's upper bound; 0 without responses). */
  readonly p50: readonly number[];
  readonly p99: readonly number[];
  /** The server's state when the sample was taken. */
  readonly states: readonly ServerState[];
}

/** Per upstream, one value per sample interval, oldest first. */
export interface UpstreamHistory {
  /** Tries moved to another server in the interval (refused by the retry budget not counted). */
  readonly retries: readonly number[];
  /** Requests that found no live server in the interval. */
  readonly noLive: readonly number[];
}

export interface UpstreamStatus {
  readonly balance: BalanceStrategyName;
  readonly servers: readonly ServerStatus[];
  /** Sessions remembered by `sticky.learn` (only with it). */
  readonly sessions?: number;
  /** Removed servers still finishing requests (nginx's zombies). */
  readonly zombies?: readonly ServerStatus[];
  /** One entry per DNS name (and the `discover` hook) feeding this upstream. */
  readonly resolver?: readonly ResolverNameStatus[];
  /** The wait queue at `maxConns` (only with `queue`). */
  readonly queue?: QueueStatus;
  /** With `passive.panic`: true while too few servers are healthy and picks ignore passive failures. */
  readonly panic?: boolean;
  /** With `status` on: retries and no-live-upstream per sample interval. */
  readonly history?: UpstreamHistory;
}

export interface StatusSnapshot {
  readonly upstreams: Record<string, UpstreamStatus>;
  /** With `cluster: true` behind `clusterPrimary()`: how many workers the sums cover. */
  readonly workers?: number;
  /**
   * With `status` on: the sample interval (10 s), how many samples each series holds now, and at
   * most (`keep`, 60); `total` counts every sample taken since start (a poller sees how many are new).
   */
  readonly history?: { readonly intervalMs: number; readonly samples: number; readonly keep: number; readonly total: number };
}

export interface ServerPatch {
  weight?: number;
  down?: boolean;
  drain?: boolean;
  maxFails?: number;
  failTimeout?: Duration;
  maxConns?: number;
  slowStart?: Duration;
}

export type StateChangeReason = 'passive' | 'health' | 'admin';

/** Where a server list or change came from (the `input:limited` event). */
export type InputSource = 'config' | 'dns' | 'discover' | 'admin' | 'cluster';

export interface SwitchyardEvents {
  'server:down': { upstream: string; url: string; state: ServerState; reason: StateChangeReason };
  'server:up': { upstream: string; url: string; reason: StateChangeReason };
  'server:added': { upstream: string; url: string; reason?: ServerChangeReason; name?: string };
  'server:removed': { upstream: string; url: string; reason?: ServerChangeReason; name?: string };
  /** A DNS lookup or the `discover` hook failed (once per outage, not per retry). */
  'discovery:error': { upstream: string; source: string; error: string };
  /** The first good answer after `discovery:error`. */
  'discovery:recovered': { upstream: string; source: string };
  /** The first answer of each DNS name (and of a name added at run time): what it resolved to, or why it failed. */
  'discovery:answer': { upstream: string; source: string; answer: readonly string[]; error?: string };
  /**
   * A value from outside the configuration (DNS, discover, admin API, cluster IPC) was capped or
   * refused: `source` says where it came from, `field` what it was (docs/security.md).
   */
  /** `passive.panic` began (too few healthy servers: picks ignore passive failures) or ended. */
  'upstream:panic': { upstream: string; panic: boolean; healthy: number; servers: number };
  'input:limited': { source: InputSource; upstream?: string; field: string; action: 'capped' | 'refused'; detail: string };
  'server:updated': { upstream: string; url: string; patch: ServerPatch };
  /**
   * A try failed and the request moves to `to` (try number `attempt`); or, with `refused: 'budget'`,
   * it would have been retried but the retry budget was spent (the client gets the failure).
   */
  retry:
    | { upstream: string; from: string; to: string; attempt: number; reason: string; refused?: undefined }
    | { upstream: string; from: string; to?: undefined; attempt: number; reason: string; refused: 'budget' };
  'no-live-upstream': { upstream: string };
  /** A try ended in a failure (error, timeout, invalid header): rare, unlike `response`, so listening costs nothing per request. */
  'try:failed': { upstream: string; url: string; failure: FailureKind };
  'health:probe': { upstream: string; url: string; ok: boolean; status?: number; error?: string };
  /**
   * A proxied request's response ended, with its facts (only while someone listens: listening turns
   * the facts on for every request, about 0.3 µs each). Feeds the request metrics.
   */
  request: { facts: RequestFacts };
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
  /** Schedules `fn` after `ms` and returns its cancel (queue timeouts). Default an unref'd `setTimeout`. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/** Options for a location created in code (e.g. an adapter's `proxyTo`), applied to one route prefix. */
export interface RouteToOptions extends Partial<Omit<LocationOptions, 'upstream'>> {
  /** The prefix the app's route matched (`'/api'`); requests leaving it are refused. Default `'/'`. */
  prefix?: string;
}

/** A switchyard instance: `createSwitchyard(options)`. */
export interface Switchyard {
  /**
   * Something reads per-request facts (`accessLog`, `tracing`, a `request` listener): adapters then
   * make them (`createRequestFacts`), pass them in `ForwardOptions.facts` and close them with `finishRequestFacts`.
   */
  wantsFacts(): boolean;
  readonly config: ResolvedConfig;
  /** Warnings from nginx import (ignored directives), empty otherwise. */
  readonly warnings: readonly string[];
  /** The nginx import warnings with line and kind (`'changes'` for warnings given as text only), empty otherwise. */
  readonly importNotes: readonly ImportNote[];
  /**
   * Match a request against the locations, in nginx's order; with `servers`, those of the virtual
   * host `host` (the Host header, any case, with or without port) picks. `scheme` is `$scheme` of a `return`.
   */
  match(method: string, url: string, host?: string): RouteMatch | undefined;
  /**
   * `match` for adapters: also the server-level `return` of a virtual host (which `match` gives as
   * `undefined`); `scheme` is the connection's, the `$scheme` of the return's text.
   */
  matchSite(method: string, url: string, host?: string, scheme?: 'http' | 'https', request?: SiteRequestFacts): SiteMatch | undefined;
  /** Finish a `FilesRoute`: the file to serve, or the route or answer its lookups lead to (bounded: nginx's 10 internal redirects, then 500). */
  resolveFiles(route: FilesRoute): Promise<FilesAnswer>;
  /**
   * An upstream answered `route` with these headers: `undefined` to deliver the response, or what
   * its `X-Accel-Redirect` leads to (only when the location's `accelRedirect` is on).
   */
  accelRedirect(route: ProxyRoute, headers: IncomingHttpHeaders, state: AccelState): AccelRedirect | undefined;
  /** A location for an upstream built in code, validated once (throws naming `where`). */
  createLocation(upstream: string, options?: RouteToOptions, where?: string): Location;
  /** Route a request through a location made by `createLocation`; `undefined` when the path leaves its prefix. */
  route(location: Location, url: string): ProxyRoute | undefined;
  /** The pool by name; throws for an unknown name. */
  upstream(name: string): Upstream;
  /**
   * nginx's preaccess and access phases for a matched location (limit_req, limit_conn, allow/deny,
   * auth_basic), before any body is read or upstream picked. `{ allowed: true, release }`: go on and
   * call `release()` once the response ended or the client left (limit_conn slots); else answer
   * with its status, headers and body. A delayed request (limit_req without nodelay) gives a
   * promise, `undefined` when `signal` aborted first. The client address is `$remote_addr` as with
   * `trustProxy`.
   */
  admit(location: Location, request: RequestInfo, signal?: AbortSignal): Admission | Promise<Admission | undefined>;
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
  /** Resolves once every `resolve` name and `discover` hook gave its first answer (or its resolver timeout passed). */
  ready(): Promise<void>;
  /** Stop health checks, DNS lookups, `discover` hooks and timers. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Dynamic pools: DNS re-resolution, SRV, discover hook
// ---------------------------------------------------------------------------

/** nginx `resolver`: where and how `resolve` servers are looked up. */
export interface ResolverOptions {
  /** DNS servers (`'10.0.0.2'`, `'127.0.0.1:5353'`, `'[::1]:53'`). Default: the system's (/etc/resolv.conf). */
  servers?: readonly string[];
  /** Re-resolve this often, whatever the TTL says (nginx `valid=`). Default: the answer's TTL. */
  valid?: Duration;
  /** One lookup's deadline; also how long `ready()` waits. Default `'5s'`. */
  timeout?: Duration;
  /** Look up A records. Default true. */
  ipv4?: boolean;
  /** Look up AAAA records. Default true. */
  ipv6?: boolean;
}

export interface ResolvedResolver {
  readonly servers: readonly string[] | undefined;
  /** 0 = follow the TTL. */
  readonly validMs: number;
  readonly timeoutMs: number;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

/** What a `discover` hook receives. */
export interface DiscoverContext {
  /** Replace the discovered servers (validated like the configuration; an invalid list throws and changes nothing). */
  update: (servers: ReadonlyArray<ServerOptions | string>) => void;
  /** Aborted by `close()`. */
  signal: AbortSignal;
}

export type DiscoverHook = (ctx: DiscoverContext) => void | Promise<void>;

/** A `resolve: true` server of the configuration: the template of every address it resolves to. */
export interface ResolvedServerName {
  /** Where it was written, e.g. `upstreams.api.servers[0]`. */
  readonly path: string;
  /** Options copied to each address (its url is the one written, with the name). */
  readonly template: ResolvedServer;
  /** The host name to look up. */
  readonly hostname: string;
  /** The SRV name (`_http._tcp.api.internal`), when `service` is set. */
  readonly srv: string | undefined;
}

export interface ResolvedDynamicServers {
  readonly names: readonly ResolvedServerName[];
  readonly resolver: ResolvedResolver;
  readonly discover: DiscoverHook | undefined;
}

/** Why a server joined or left a pool. */
export type ServerChangeReason = 'admin' | 'dns' | 'discover';

/** The state of one looked-up name (or of the `discover` hook) for the status page. */
export interface ResolverNameStatus {
  /** The name queried (`api.internal`, `_http._tcp.api.internal`) or `'discover'`. */
  readonly name: string;
  /** Addresses (or SRV `target:port`) of the last good answer. */
  readonly answer: readonly string[];
  /** Epoch ms of the last good answer. */
  readonly answeredAt?: number;
  /** Epoch ms of the next lookup. */
  readonly nextLookupAt?: number;
  /** Set while lookups fail (the last good answer stays in use). */
  readonly error?: string;
}
