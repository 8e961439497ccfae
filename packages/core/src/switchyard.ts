/** @module createSwitchyard: validates the configuration and wires pools, routing, retries and health checks into one instance. */
import { admit, type AdmissionClock } from './limits/admission.js';
import { hasLimits } from './limits/resolve-limits.js';
import type { Admission } from './limits/limit-types.js';
import type { IncomingHttpHeaders } from 'node:http';
import type {
  ImportNote,
  AccelRedirect,
  AccelState,
  Forwarding,
  ForwardOptions,
  RequestFacts,
  Location,
  ProxyRoute,
  RequestInfo,
  ResolvedConfig,
  ResolvedRetryBudget,
  RouteMatch,
  SiteMatch,
  SiteRequestFacts,
  FilesRoute,
  FilesAnswer,
  RouteToOptions,
  ServerOptions,
  ServerPatch,
  StatusSnapshot,
  Switchyard,
  SwitchyardEventName,
  SwitchyardEvents,
  SwitchyardHooks,
  SwitchyardInput,
  Upstream,
  UpstreamStatus,
} from './types.js';
import type { PoolControl, PoolEnv } from './internal.js';
import { SwitchyardLookupError } from './errors.js';
import { SwitchyardEmitter } from './events.js';
import { createPool } from './balancer/index.js';
import { resolveConfig, resolveCodeLocation } from './config/index.js';
import { canonicalServerUrl } from './config/resolve-server.js';
import { resolveServerPatch } from './config/resolve-server-patch.js';
import { createTrustPredicate } from './config/trust-proxy.js';
import { createHostRouter, followAccelRedirect, routeForLocation, type HostRouter } from './routing/index.js';
import { toSwitchyardOptions } from './nginx/load-input.js';
import { RequestForwarding } from './forwarding/forwarding.js';
import { realClientIp } from './forwarding/real-client.js';
import { RetryBudget } from './forwarding/retry-budget.js';
import { factsRecord } from './request-facts/request-facts.js';
import { startHealthChecks, type HealthChecks } from './health/health-checks.js';
import { putOwn } from './config/own.js';
import { startDiscovery, type Discovery } from './discovery/index.js';
import { resolveServerEntry } from './discovery/server-entries.js';
import { registerInternals } from './admin/instance-internals.js';
import { joinCluster } from './cluster/cluster-link.js';
import { resolvePendingFiles } from './site-resolution/site-driver.js';
import { StatusHistory } from './admin/status-history.js';

const monotonicNow = (): number => performance.now();
const ADMITTED: Admission = Object.freeze({ allowed: true, release: (): void => {} });
/** The default timer of a limit_req delay: it never keeps the process alive by itself. */
function unrefTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

class SwitchyardInstance implements Switchyard {
  readonly config: ResolvedConfig;
  readonly warnings: readonly string[];
  readonly importNotes: readonly ImportNote[];
  readonly #emitter = new SwitchyardEmitter();
  readonly #pools = new Map<string, PoolControl>();
  /** Retry-budget ledgers by upstream, then by budget setting (a location may set its own). */
  readonly #budgets = new Map<string, Map<string, RetryBudget>>();
  readonly #router: HostRouter;
  readonly #trusted: (ip: string) => boolean;
  readonly #env: PoolEnv;
  readonly #health: HealthChecks;
  readonly #discovery: Discovery;
  /** Only with `status` configured (and its history not off): nothing listens (and nothing costs) otherwise. */
  readonly #history: StatusHistory | undefined;
  #closed = false;
  readonly #factsConfigured: boolean;
  readonly #announce = (facts: RequestFacts): void => this.#emitter.emit('request', { facts });

  constructor(input: SwitchyardInput, hooks: SwitchyardHooks) {
    const { options, warnings, notes } = toSwitchyardOptions(input);
    this.config = resolveConfig(options, warnings);
    this.warnings = this.config.warnings;
    this.importNotes = Object.freeze(notes.map((n) => Object.freeze(n)));
    this.#factsConfigured = this.config.accessLog !== undefined || this.config.tracing === true;
    const emitter = this.#emitter;
    this.#env = {
      now: hooks.now ?? monotonicNow,
      random: hooks.random ?? Math.random,
      ...(hooks.setTimer !== undefined ? { setTimer: hooks.setTimer } : {}),
      emit: (event, payload) => emitter.emit(event, payload),
      listening: (event) => emitter.listening(event),
    };
    for (const [name, upstream] of this.config.upstreams) {
      this.#pools.set(name, createPool(upstream, this.#env));
      this.#budgets.set(name, new Map());
    }
    this.#router = createHostRouter(this.config);
    this.#trusted = createTrustPredicate(this.config.trustProxy);
    const startHealth = (): HealthChecks => startHealthChecks(this.config, this.#pools, this.#env);
    // cluster: probes run in one worker chosen by clusterPrimary(); changes and failures are shared.
    const link = this.config.cluster === true ? joinCluster(this, this.#pools, startHealth) : undefined;
    this.#health = link ?? startHealth();
    registerInternals(this, { pools: this.#pools, env: this.#env, ...(link !== undefined ? { clusterStatus: () => link.status() } : {}) });
    this.#discovery = startDiscovery(this.config, this.#pools, this.#env, this.#health);
    const history = this.config.status?.history;
    this.#history =
      history === undefined
        ? undefined
        : new StatusHistory(
            { on: (e, l) => this.on(e, l), off: (e, l) => this.off(e, l), snapshot: () => this.#snapshot(), now: () => this.#env.now() },
            { intervalMs: history.intervalMs, keep: history.samples },
          );
  }

  ready(): Promise<void> {
    return this.#discovery.ready();
  }

  match(method: string, url: string, host?: string): RouteMatch | undefined {
    const found = this.#router.match(method, url, host);
    return found === undefined || 'return' in found || 'files' in found || 'file' in found ? undefined : found;
  }

  matchSite(method: string, url: string, host?: string, scheme?: 'http' | 'https', request?: SiteRequestFacts): SiteMatch | undefined {
    return this.#router.match(method, url, host, scheme, request);
  }

  resolveFiles(route: FilesRoute): Promise<FilesAnswer> {
    return resolvePendingFiles(route);
  }

  accelRedirect(route: ProxyRoute, headers: IncomingHttpHeaders, state: AccelState): AccelRedirect | undefined {
    // The URI is matched again among the locations of the request's own virtual host, as nginx does.
    return followAccelRedirect(this.#router.routerOf(route.location), route, headers, state);
  }

  createLocation(upstream: string, options: RouteToOptions = {}, where = 'proxyTo'): Location {
    const config = this.config.upstreams.get(upstream);
    if (config === undefined) throw new SwitchyardLookupError(`${where}: unknown upstream "${upstream}" (known: ${[...this.#pools.keys()].join(', ')})`);
    return resolveCodeLocation(config, options, where);
  }

  route(location: Location, url: string): ProxyRoute | undefined {
    return routeForLocation(location, url);
  }

  upstream(name: string): Upstream {
    return this.#pool(name);
  }

  wantsFacts(): boolean {
    return this.#factsConfigured || this.#emitter.listening('request');
  }

  forward(route: ProxyRoute, request: RequestInfo, options: ForwardOptions): Forwarding {
    const pool = this.#pool(route.upstream);
    const budget = this.#budgetFor(route.upstream, route.location.retry.budget);
    const facts = factsRecord(options.facts);
    // The first forwarding of the request: its end is announced to the `request` listeners.
    if (facts !== undefined && facts.tries.length === 0 && this.#emitter.listening('request')) facts.onFinish(this.#announce);
    return new RequestForwarding(pool, budget, this.#env, route, this.#realClient(request), options.replayableBody, facts, options.queue === true);
  }

  #budgetFor(upstream: string, settings: ResolvedRetryBudget | false): RetryBudget | undefined {
    if (settings === false) return undefined;
    const ledgers = this.#budgets.get(upstream) as Map<string, RetryBudget>;
    const key = `${settings.percent}/${settings.windowMs}/${settings.minPerSecond}`;
    let ledger = ledgers.get(key);
    if (ledger === undefined) {
      ledger = new RetryBudget(settings);
      ledgers.set(key, ledger);
    }
    return ledger;
  }

  /**
   * nginx's realip with `real_ip_recursive on`: behind trusted proxies the client is the rightmost
   * X-Forwarded-For address that is not trusted, so ip-hash and `$remote_addr` keys see the real
   * client instead of the load balancer in front (bounded: see forwarding/real-client.ts).
   */
  #realClient(request: RequestInfo): RequestInfo {
    if (this.config.trustProxy === false || !this.#trusted(request.clientIp)) return request;
    const header = request.headers['x-forwarded-for'];
    if (header === undefined) return request;
    const client = realClientIp(request.clientIp, header, this.#trusted);
    return client === request.clientIp ? request : { ...request, clientIp: client };
  }

  admit(location: Location, request: RequestInfo, signal?: AbortSignal): Admission | Promise<Admission | undefined> {
    const limits = location.limits;
    if (limits === undefined || !hasLimits(limits)) return ADMITTED;
    return admit(limits, this.#realClient(request), this.#limitClock, signal);
  }

  /** The delay of limit_req runs on the instance's clock and timer (a fake clock in tests). */
  readonly #limitClock: AdmissionClock = {
    now: () => this.#env.now(),
    setTimer: (fn, ms) => (this.#env.setTimer ?? unrefTimer)(fn, ms),
  };

  status(): StatusSnapshot {
    const snap = this.#snapshot();
    return this.#history === undefined ? snap : this.#history.decorate(snap);
  }

  #snapshot(): StatusSnapshot {
    const upstreams: Record<string, UpstreamStatus> = {};
    for (const [name, pool] of this.#pools) {
      const resolver = this.#discovery.status(name);
      // An upstream named `__proto__` is a key like any other.
      putOwn(upstreams, name, resolver === undefined ? pool.status() : { ...pool.status(), resolver });
    }
    return { upstreams };
  }

  isTrustedProxy(peerIp: string): boolean {
    return this.#trusted(peerIp);
  }

  addServer(upstream: string, server: ServerOptions | string): void {
    const pool = this.#pool(upstream);
    const entry = resolveServerEntry(server, `addServer("${upstream}")`);
    // `resolve: true`: the name's addresses join the pool (and follow DNS) through the discovery.
    if ('template' in entry) return this.#discovery.addName(upstream, entry);
    // Added at run time unless a caller (DNS, discover) already said where it came from.
    const resolved = entry.source === undefined ? { ...entry, source: 'api' as const } : entry;
    pool.addServer(resolved);
    this.#health.watch(upstream, resolved.url);
  }

  removeServer(upstream: string, url: string): boolean {
    // Spelled as addServer accepted it ('127.0.0.1:9000', 'http://Host:1/'): look up the stored form.
    const key = canonicalServerUrl(url);
    if (this.#discovery.removeName(upstream, key)) return true;
    const removed = this.#pool(upstream).removeServer(key);
    if (removed) this.#health.unwatch(upstream, key);
    return removed;
  }

  setServer(upstream: string, url: string, patch: ServerPatch): void {
    this.#pool(upstream).setServer(canonicalServerUrl(url), resolveServerPatch(patch, `setServer("${upstream}", ${JSON.stringify(url)})`));
  }

  on<E extends SwitchyardEventName>(event: E, listener: (payload: SwitchyardEvents[E]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }

  off<E extends SwitchyardEventName>(event: E, listener: (payload: SwitchyardEvents[E]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#history?.stop();
    this.#discovery.stop();
    await this.#health.stop();
  }

  #pool(name: string): PoolControl {
    const pool = this.#pools.get(name);
    if (pool === undefined) throw new SwitchyardLookupError(`unknown upstream "${name}" (known: ${[...this.#pools.keys()].join(', ')})`);
    return pool;
  }
}

/**
 * Validates the whole configuration (plain options, a `parseNginxConfig` result or `{ nginx }`)
 * and returns the instance, or throws a SwitchyardConfigError naming the exact field.
 *
 * @example
 * const sy = createSwitchyard({ upstreams: { backend: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'] }, locations: { '/': 'backend' } })
 * const route = sy.match('GET', '/users')
 */
export function createSwitchyard(input: SwitchyardInput, hooks: SwitchyardHooks = {}): Switchyard {
  return new SwitchyardInstance(input, hooks);
}
