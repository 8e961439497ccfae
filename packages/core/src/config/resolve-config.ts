/** @module Whole-configuration validation: `SwitchyardOptions` in, a new frozen `ResolvedConfig` out, or one error naming the exact path. */
import type { BalanceStrategyName, Location, RequestInfo, ResolvedConfig, ResolvedUpstream, SwitchyardOptions } from '../types.js';
import { DEFAULT_BALANCE, DEFAULT_KEEPALIVE, DEFAULT_RETRY, DEFAULT_TIMEOUTS } from './defaults.js';
import { checkKeys, child, describe, expectObject, fail, isPlainObject, optionalBoolean, optionalInteger, suggest } from './describe.js';
import { FrozenMap } from './frozen.js';
import { compileHashKey } from './hash-key.js';
import { keyString } from './hash-key-error.js';
import { declaresInternal, resolveAbsoluteRedirect } from './resolve-location.js';

import { compileProgram, siteSetNames } from '../rewrite/compile-program.js';
import { withMapNames } from '../rewrite/map-variables.js';
import { resolveMaps } from '../maps/resolve-maps.js';
import { resolveLocationMap, resolveServers, type TopLocationScope } from './resolve-servers.js';
import { parseBodySize } from './body-size.js';
import { resolveHealthCheck, resolveRetry, resolveTimeouts } from './resolve-policies.js';
import { resolveTls } from './resolve-tls.js';
import { parseTrustEntry } from './trust-proxy.js';
import { resolveCloseTimeout } from './close-timeout.js';
import { resolvePassive } from './resolve-passive.js';
import { checkStickyRoutes, resolveSticky } from '../sticky/resolve-sticky.js';

import { HOOK_KEYS, resolveUpstreamHooks } from '../hooks/resolve-hooks.js';
import { resolveResolverOptions } from '../discovery/resolver-options.js';
import { resolveUpstreamServers } from '../discovery/upstream-config.js';
import { resolveQueue } from '../queue/resolve-queue.js';
import { resolveProtocol } from './resolve-protocol.js';
import type { ResolvedResolver } from '../types.js';
import { resolveAdmin, resolveCluster } from './resolve-admin.js';
import { resolveAccessLog } from '../access-log/resolve-access-log.js';
import { resolveStatus } from './resolve-status.js';
import { resolveLimits, resolveLimitZones } from '../limits/resolve-limits.js';
import { ADDED_HEADER_KEYS, resolveAddedHeaders } from '../added-headers/resolve-added-headers.js';

const TOP_KEYS = [
  'upstreams',
  'locations',
  'trustProxy',
  'status',
  'metrics',
  'closeTimeout',
  'resolver',
  'admin',
  'cluster',
  'accelRedirect',
  'absoluteRedirect',
  'accessLog',
  'tracing',
  'servers',
  'maxBodySize',
  'redirect',
  'underscoresInHeaders',
  'rewrite',
  'limitZones',
  'limits',
  ...ADDED_HEADER_KEYS,
  'maps',
] as const;
const UPSTREAM_KEYS = [
  'servers',
  'balance',
  'hash',
  'retry',
  'healthCheck',
  'timeouts',
  'keepalive',
  'sticky',
  'passive',
  'tls',
  'resolver',
  'discover',
  'queue',
  'protocol',
  ...HOOK_KEYS,
] as const;
const HASH_KEYS = ['key', 'consistent'] as const;
const ROUTE_PATH_KEYS = ['path'] as const;

/** Every `balance` name. */
export const BALANCE_STRATEGIES: readonly BalanceStrategyName[] = Object.freeze([
  'round-robin',
  'least-conn',
  'least-time',
  'random',
  'random-two',
  'ip-hash',
  'hash',
]);

/**
 * Validate the whole configuration at once and apply the defaults. Never writes into `options`:
 * the result is made of new frozen objects. The first problem throws a `SwitchyardConfigError`
 * whose message names the exact path, what was expected and what was given, e.g.
 * `upstreams.backend.servers[2].weight must be a positive integer, got -1`; unknown keys are
 * refused with a suggestion. The array shorthand `upstreams.api: [a, b]` reports
 * `upstreams.api.servers[1]`.
 *
 * @example resolveConfig({ upstreams: { api: ['http://127.0.0.1:8001'] }, locations: { '/api/': 'api' } })
 */
export function resolveConfig(options: SwitchyardOptions, warnings: readonly string[] = []): ResolvedConfig {
  const top = expectObject(options, '', 'an options object { upstreams, locations?, ... }');
  checkKeys(top, TOP_KEYS, '');
  if (top.upstreams === undefined) fail('upstreams', 'is required (at least one upstream)');
  const upstreamsInput = expectObject(top.upstreams, 'upstreams', 'an object of upstream name to options');
  const names = Object.keys(upstreamsInput);

  const upstreams = new Map<string, ResolvedUpstream>();
  const resolver = resolveResolverOptions(top.resolver, 'resolver');
  for (const name of names) {
    const path = child('upstreams', name);
    if (name.trim() === '' || /\s/.test(name)) fail(path, 'is not a valid upstream name (empty or with spaces)');
    upstreams.set(name, resolveUpstream(name, upstreamsInput[name], path, resolver));
  }

  if (top.servers !== undefined && top.locations !== undefined) {
    fail('locations', 'cannot be given beside servers: with virtual hosts every location belongs to a server (servers[i].locations)');
  }
  // X-Accel-Redirect is followed by default when some location (of any virtual host) is internal or named.
  const declared = top.servers === undefined ? declaresInternal(top.locations) : serversDeclareInternal(top.servers);
  const maps = resolveMaps(top.maps);
  const scope = {
    maps,
    accelRedirect: optionalBoolean(top.accelRedirect, 'accelRedirect', declared),
    absoluteRedirect: resolveAbsoluteRedirect(top.absoluteRedirect, 'absoluteRedirect'),
    redirect: resolveTopRedirect(top.redirect),
    ...limitScope(top.limitZones, top.limits),
    ...responseHeaderScope(top),
  };
  const maxBodyBytes = top.maxBodySize === undefined ? 0 : parseBodySize(top.maxBodySize, 'maxBodySize');
  if (top.servers !== undefined && top.rewrite !== undefined) fail('rewrite', 'cannot be given beside servers: give each server its own (servers[i].rewrite)');
  const siteNames = top.servers === undefined ? withMapNames(siteSetNames(top.rewrite, top.locations), maps) : new Set<string>();
  const rewrite = top.rewrite === undefined ? undefined : compileProgram(top.rewrite, 'rewrite', siteNames);
  const servers = top.servers === undefined ? undefined : resolveServers(top.servers, upstreams, scope, maxBodyBytes);
  // With servers, `locations` lists every host's locations (adapters register their paths from it).
  const locations: Location[] =
    servers !== undefined
      ? servers.flatMap((s) => s.locations)
      : top.locations === undefined
        ? []
        : resolveLocationMap(top.locations, upstreams, 'locations', { ...scope, setNames: siteNames }, maxBodyBytes);

  // A site of files, returns and rewrites proxies nothing (nginx runs it without an upstream); with
  // nothing at all to do, an empty `upstreams` is a mistake worth naming.
  if (
    names.length === 0 &&
    locations.length === 0 &&
    rewrite === undefined &&
    !(servers ?? []).some((s) => s.return !== undefined || s.rewrite !== undefined)
  ) {
    fail('upstreams', 'must define at least one upstream (or give locations that answer themselves: root, alias, return, rewrite)');
  }

  const status = resolveStatus(top.status);
  const metrics = resolveRoutePath(top.metrics, 'metrics');
  if (status !== undefined && metrics !== undefined && status.path === metrics.path) {
    fail('metrics.path', `must differ from status.path, both are ${JSON.stringify(status.path)}`);
  }

  if (!Array.isArray(warnings)) fail('', `warnings must be an array of strings, got ${describe(warnings)}`);
  return Object.freeze({
    upstreams: new FrozenMap(upstreams),
    locations: Object.freeze(locations),
    trustProxy: resolveTrustProxy(top.trustProxy),
    status,
    metrics,
    admin: resolveAdmin(top.admin, [status, metrics]),
    cluster: resolveCluster(top.cluster),
    // Array.isArray above widened the readonly string[] to any[].
    warnings: Object.freeze([...(warnings as readonly string[])]),
    closeTimeoutMs: resolveCloseTimeout(top.closeTimeout),
    resolver,
    accessLog: resolveAccessLog(top.accessLog),
    tracing: optionalBoolean(top.tracing, 'tracing', false),
    servers: servers === undefined ? undefined : Object.freeze(servers),
    ...(rewrite !== undefined ? { rewrite } : {}),
    ...(scope.absoluteRedirect !== undefined ? { absoluteRedirect: scope.absoluteRedirect } : {}),
    ...(scope.responseHeaders !== undefined ? { responseHeaders: scope.responseHeaders } : {}),
    underscoresInHeaders: optionalBoolean(top.underscoresInHeaders, 'underscoresInHeaders', true),
    ...(maps.size > 0 ? { maps } : {}),
  });
}

/** The top-level `addHeaders` / `expires` (nginx's http level), the default of every server and location. */
function responseHeaderScope(top: Record<string, unknown>): Pick<TopLocationScope, 'responseHeaders'> {
  const plan = resolveAddedHeaders(top, '', undefined);
  return plan === undefined ? {} : { responseHeaders: plan };
}

/** The zones and the top-level `limits` (nginx's http level) every server and location starts from. */
function limitScope(zonesInput: unknown, limitsInput: unknown): Pick<TopLocationScope, 'zones' | 'limits'> {
  const zones = resolveLimitZones(zonesInput);
  const limits = resolveLimits(limitsInput, 'limits', undefined, zones);
  return limits === undefined ? { zones } : { zones, limits };
}

/** The top-level `redirect`: only `'default'` or false (rules name a location's own URLs). */
function resolveTopRedirect(input: unknown): 'default' | false {
  if (input === undefined || input === false || input === 'default') return input ?? false;
  fail('redirect', `must be 'default' or false at the top level, got ${describe(input)}`);
}

function resolveUpstream(name: string, input: unknown, path: string, resolver: ResolvedResolver): ResolvedUpstream {
  let obj: Record<string, unknown>;
  if (Array.isArray(input)) obj = { servers: input };
  else if (isPlainObject(input)) obj = input;
  else fail(path, `must be an array of servers or an object { servers, balance?, ... }, got ${describe(input)}`);
  checkKeys(obj, UPSTREAM_KEYS, path);

  // Fixed servers for the pool; `resolve` names and `discover` for the discovery (DNS, hook).
  const { servers, dynamic } = resolveUpstreamServers(obj, path, resolver);
  checkStickyRoutes(servers, `${path}.servers`);

  let balance = DEFAULT_BALANCE;
  if (obj.balance !== undefined) {
    if (typeof obj.balance !== 'string' || !(BALANCE_STRATEGIES as readonly string[]).includes(obj.balance)) {
      const hint = typeof obj.balance === 'string' ? suggest(obj.balance, BALANCE_STRATEGIES) : undefined;
      fail(
        `${path}.balance`,
        `must be one of ${BALANCE_STRATEGIES.map((s) => `'${s}'`).join(', ')}, got ${describe(obj.balance)}${hint ? ` (did you mean ${hint}?)` : ''}`,
      );
    }
    balance = obj.balance as BalanceStrategyName;
  }

  let hash: ResolvedUpstream['hash'];
  if (balance === 'hash') {
    if (obj.hash === undefined) fail(`${path}.hash`, "is required with balance 'hash' (e.g. { key: '$request_uri' })");
    hash = resolveHash(obj.hash, `${path}.hash`);
  } else if (obj.hash !== undefined) {
    fail(`${path}.hash`, `only applies to balance 'hash', but balance is '${balance}'`);
  }

  const tls = resolveTls(obj.tls, `${path}.tls`);
  const queue = resolveQueue(obj.queue, `${path}.queue`);
  if (queue !== undefined && !servers.some((s) => s.maxConns > 0) && dynamic === undefined) {
    // A queue only ever holds requests for servers at maxConns: without one it would never be used.
    fail(`${path}.queue`, `needs at least one server with maxConns (requests wait for a server at its maxConns), and none of ${path}.servers has one`);
  }
  // Servers from DNS or `discover` are not known yet: they may be the https ones.
  if (tls !== undefined && dynamic === undefined && !servers.some((s) => s.url.startsWith('https://'))) {
    fail(`${path}.tls`, `only applies to https servers, and none of ${path}.servers is one (write 'https://host:port')`);
  }
  return Object.freeze({
    name,
    balance,
    hash,
    servers: Object.freeze(servers),
    retry: resolveRetry(obj.retry, `${path}.retry`, DEFAULT_RETRY),
    timeouts: resolveTimeouts(obj.timeouts, `${path}.timeouts`, DEFAULT_TIMEOUTS),
    keepalive: optionalInteger(obj.keepalive, `${path}.keepalive`, DEFAULT_KEEPALIVE, 0),
    healthCheck: resolveHealthCheck(obj.healthCheck, `${path}.healthCheck`),
    ...(obj.sticky !== undefined ? { sticky: resolveSticky(obj.sticky, `${path}.sticky`) } : {}),
    ...(obj.passive !== undefined ? { passive: resolvePassive(obj.passive, `${path}.passive`) } : {}),
    hooks: resolveUpstreamHooks(obj, path),
    ...(tls === undefined ? {} : { tls }),
    ...(dynamic !== undefined ? { dynamic } : {}),
    ...(queue !== undefined ? { queue } : {}),
    protocol: resolveProtocol(obj.protocol, `${path}.protocol`, servers, dynamic !== undefined),
  });
}

function resolveHash(input: unknown, path: string): NonNullable<ResolvedUpstream['hash']> {
  const obj = expectObject(input, path, 'an object { key, consistent? }');
  checkKeys(obj, HASH_KEYS, path);
  const consistent = optionalBoolean(obj.consistent, `${path}.consistent`, false);
  const key = obj.key;
  if (typeof key === 'function') {
    const fn = key as (req: RequestInfo) => unknown;
    const wrapped = (req: RequestInfo): string => keyString(fn(req));
    return Object.freeze({ key: wrapped, source: fn.name ? `[function ${fn.name}]` : '[function]', consistent });
  }
  if (key === undefined) fail(`${path}.key`, "is required (an nginx variable string like '$request_uri', or a function)");
  if (typeof key !== 'string') fail(`${path}.key`, `must be a string of nginx variables or a function, got ${describe(key)}`);
  return Object.freeze({ key: compileHashKey(key, `${path}.key`), source: key, consistent });
}

function resolveRoutePath(input: unknown, path: string): { readonly path: string } | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, path, "an object { path: '/...' }");
  checkKeys(obj, ROUTE_PATH_KEYS, path);
  const value = obj.path;
  if (typeof value !== 'string' || !/^\/[^\s?#]*$/.test(value)) {
    fail(`${path}.path`, `must be a path starting with '/' (no spaces, '?' or '#'), got ${describe(value)}`);
  }
  return Object.freeze({ path: value });
}

function resolveTrustProxy(input: unknown): boolean | readonly string[] {
  if (input === undefined) return false;
  if (typeof input === 'boolean') return input;
  if (!Array.isArray(input)) fail('trustProxy', `must be a boolean or an array of IP addresses / CIDR ranges, got ${describe(input)}`);
  const list = input.map((entry: unknown, i) => {
    const at = `trustProxy[${i}]`;
    if (typeof entry !== 'string') fail(at, `must be an IP address, a CIDR range or a keyword, got ${describe(entry)}`);
    try {
      parseTrustEntry(entry);
    } catch (err) {
      fail(at, `${(err as Error).message}, got ${describe(entry)}`);
    }
    return entry;
  });
  return Object.freeze(list);
}

/** `declaresInternal` over the locations of every virtual host (read before validation). */
function serversDeclareInternal(servers: unknown): boolean {
  return Array.isArray(servers) && servers.some((s) => isPlainObject(s) && declaresInternal(s.locations));
}
