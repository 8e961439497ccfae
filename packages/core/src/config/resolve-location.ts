/** @module Locations: nginx-syntax keys (`= /x`, `^~ /s/`, `/p/`, `~ re`, `~* re`) and their options merged over the upstream's. */
import { catastrophicRegex } from '../routing/regex-safety.js';
import type { Location, LocationKind, ResolvedUpstream, RouteToOptions } from '../types.js';
import { encodePath, normalizePath } from '../routing/normalize-path.js';
import { DEFAULT_PRESERVE_HOST, DEFAULT_RETRY, DEFAULT_TIMEOUTS, DEFAULT_WEBSOCKET } from './defaults.js';
import { compileFiles, compileProgram, compileReturn, setNames } from '../rewrite/compile-program.js';
import type { LocationContent } from '../rewrite/program-types.js';
import { checkKeys, child, describe, expectObject, fail, isPlainObject, optionalBoolean, suggest } from './describe.js';
import { resolveRetry, resolveTimeouts } from './resolve-policies.js';
import { resolveRedirect } from './resolve-redirect.js';
import { checkHeader } from './header-check.js';
import { parseBodySize } from './body-size.js';
import { resolveLimits, type LimitZones } from '../limits/resolve-limits.js';
import type { ResolvedLimits } from '../limits/limit-types.js';
import { HOP_BY_HOP_HEADERS } from '../http/hop-by-hop.js';
import { compileHeaderValue, HeaderValueError } from '../http/header-variables.js';
import { compileRequestHeaders } from '../http/request-header-plan.js';
import type { ResolvedMaps } from '../maps/map-types.js';
import { hiddenHeaderSet } from '../http/hidden-response-headers.js';

import { HOOK_KEYS, mergeHooks, readHooks } from '../hooks/resolve-hooks.js';
import { ADDED_HEADER_KEYS, resolveAddedHeaders } from '../added-headers/resolve-added-headers.js';
import { withAddedHeaders } from '../added-headers/proxied-added-headers.js';
import type { ResponseHeaderPlan } from '../added-headers/added-header-types.js';

const HEADER_KEYS = ['preserveHost', 'headers', 'headerDefaults', 'forwardedHeaders', 'hideHeaders', 'passHeaders'] as const;
const LOCATION_KEYS = [
  'upstream',
  'rewritePrefix',
  ...HEADER_KEYS,
  'retry',
  'timeouts',
  'websocket',
  'internal',
  'accelRedirect',
  'absoluteRedirect',
  'redirect',
  'locations',
  'maxBodySize',
  'root',
  'alias',
  'index',
  'tryFiles',
  'return',
  'rewrite',
  'limits',
  ...ADDED_HEADER_KEYS,
  ...HOOK_KEYS,
] as const;
/** Options that only mean something when the location proxies. */
const PROXY_ONLY = ['rewritePrefix', 'headers', 'retry', 'timeouts', 'redirect', 'hideHeaders', 'passHeaders', ...HOOK_KEYS] as const;
const ROUTE_KEYS = ['prefix', 'rewritePrefix', ...HEADER_KEYS, 'retry', 'timeouts', 'websocket', 'maxBodySize', ...HOOK_KEYS] as const;

/**
 * Read an nginx location key. Modifiers may be followed by spaces or not (`=/x` is `= /x`, as in
 * nginx). Path patterns must start with `/` and be normalised already (`/a//b/`, `/a/../b`, `%2F`
 * could never match, because matching runs on the normalised, decoded path). Regexes are compiled
 * here once to report a bad one by its key. A named location (`@x`) is kind `named`.
 */
export function parseLocationKey(key: string, path: string): { kind: LocationKind; pattern: string } {
  const text = key.trim();
  if (text.startsWith('@')) {
    if (!/^@[^\s{};]+$/.test(text)) fail(path, 'is not a valid named location (@ and a name without spaces)');
    return { kind: 'named', pattern: text };
  }
  const m = /^(=|\^~|~\*|~)?\s*(.*)$/s.exec(text)!;
  const modifier = m[1];
  const pattern = m[2]!;
  const kind: LocationKind =
    modifier === '=' ? 'exact' : modifier === '^~' ? 'prefix-priority' : modifier === '~' ? 'regex' : modifier === '~*' ? 'regex-i' : 'prefix';
  if (pattern === '') fail(path, `is not a valid location: the ${modifier === undefined ? 'path' : `pattern after '${modifier}'`} is empty`);
  if (kind === 'regex' || kind === 'regex-i') {
    try {
      new RegExp(pattern, kind === 'regex-i' ? 'i' : '');
    } catch (err) {
      fail(path, `has an invalid regular expression: ${(err as Error).message}`);
    }
    // JavaScript backtracks without bound (nginx's PCRE stops at a match limit): one request could hold the process.
    const unsafe = catastrophicRegex(pattern, kind === 'regex-i');
    if (unsafe !== undefined) fail(path, `has a regular expression that can take exponential time on a crafted path: ${unsafe}`);
    return { kind, pattern };
  }
  checkRoutePath(pattern, path, 'is not a valid location');
  return { kind, pattern };
}

/**
 * Location names are compared with the decoded, normalised request path, so they are written
 * decoded (`/a b/`, `/café/`) and must already be normal: no `//`, `.` or `..` segment, `\\`,
 * `%XX` escape or control character, any of which would make the location unreachable.
 */
function checkRoutePath(pattern: string, path: string, what: string): void {
  if (!pattern.startsWith('/')) fail(path, `${what}: the path must start with '/', got ${JSON.stringify(pattern)}`);
  if (/[\x00-\x1f\x7f]/.test(pattern)) fail(path, `${what}: the path contains control characters`);
  const escaped = /%[0-9A-Fa-f]{2}/.test(pattern);
  const inner = pattern.slice(1, pattern.endsWith('/') ? -1 : undefined);
  const badSegment = pattern !== '/' && inner.split('/').some((seg) => seg === '' || seg === '.' || seg === '..');
  if (escaped || badSegment || pattern.includes('\\')) {
    const normal = normalizePath(escaped ? pattern : encodePath(pattern));
    fail(
      path,
      `${what}: ${JSON.stringify(pattern)} is not a normalised path (requests are matched after decoding %XX and resolving '.', '..' and '//'${normal === undefined ? '' : `; write ${JSON.stringify(normal)}`})`,
    );
  }
}

/** What a location takes from its configuration and its enclosing location. */
interface LocationScope {
  /** The top-level `accelRedirect`, or its default. */
  readonly accelRedirect: boolean;
  /** The top-level `absoluteRedirect`. */
  readonly absoluteRedirect?: Location['absoluteRedirect'];
  /** The top-level `redirect` (nginx `proxy_redirect`), false when not given. */
  readonly redirect?: 'default' | false;
  /** The enclosing location of a nested one. */
  readonly parent?: Location;
  /** `client_max_body_size` of the level above (server or top), bytes; 0 = unlimited. */
  readonly maxBodyBytes?: number;
  /** The variables `set` anywhere in this server's rewrite steps (nginx declares them config-wide). */
  readonly setNames?: ReadonlySet<string>;
  /** The zones `limits` may name. */
  readonly zones?: LimitZones;
  /** The top-level `maps`, usable as variables in `headers`. */
  readonly maps?: ResolvedMaps;
  /** The `limits` of the level above (server or top). */
  readonly limits?: ResolvedLimits;
  /** `addHeaders`/`expires` of the level above (server or top). */
  readonly responseHeaders?: ResponseHeaderPlan;
}

/**
 * Resolve a `locations` object (top level, or nested in `parent`) against the resolved upstreams,
 * refusing what nginx refuses: two exact or two prefix locations of one name at one level
 * ("duplicate location"), a location inside an exact or named one, a named location that is not
 * at the top, a nested prefix outside its parent's.
 */
export function resolveLocations(input: unknown, upstreams: ReadonlyMap<string, ResolvedUpstream>, path: string, scope: LocationScope): Location[] {
  const obj = expectObject(input, path, 'an object of nginx location key to upstream name or options');
  const parent = scope.parent;
  const seen = new Map<string, string>();
  const out: Location[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const at = child(path, key);
    const location = resolveLocation(key, value, upstreams, at, scope);
    if (parent !== undefined) {
      if (location.kind === 'named') fail(at, 'is a named location, which can be at the top level only (nginx)');
      // nginx compares the names as text: a nested prefix must start with the parent's (regex) text.
      if (location.kind !== 'regex' && location.kind !== 'regex-i' && !location.pattern.startsWith(parent.pattern)) {
        fail(at, `is outside its enclosing location ${JSON.stringify(parent.key)} (a nested path must start with ${JSON.stringify(parent.pattern)})`);
      }
    }
    // nginx: "duplicate location" for two exact, or two prefix (`/a/` and `^~ /a/`), locations of one name.
    if (location.kind !== 'regex' && location.kind !== 'regex-i') {
      const id = `${location.kind === 'exact' ? '=' : ''} ${location.pattern}`;
      const other = seen.get(id);
      if (other !== undefined) fail(at, `duplicates the location ${JSON.stringify(other)}`);
      seen.set(id, key);
    }
    out.push(location);
  }
  return out;
}

/**
 * Whether a `locations` input declares an internal or a named location, at any depth: the
 * default of `accelRedirect` (read before validation, so anything unexpected counts as no).
 */
export function declaresInternal(input: unknown): boolean {
  if (!isPlainObject(input)) return false;
  for (const [key, value] of Object.entries(input)) {
    if (key.trim().startsWith('@')) return true;
    if (isPlainObject(value) && (value.internal === true || declaresInternal(value.locations))) return true;
  }
  return false;
}

/** Resolve one `locations` entry against the resolved upstreams. */
export function resolveLocation(
  key: string,
  value: unknown,
  upstreams: ReadonlyMap<string, ResolvedUpstream>,
  path: string,
  scope: LocationScope = { accelRedirect: false },
): Location {
  const { kind, pattern } = parseLocationKey(key, path);
  if (typeof value === 'string') {
    const upstream = lookupUpstream(value, upstreams, `${path}.upstream`);
    return build(key, kind, pattern, upstream, {}, path, scope, upstreams);
  }
  if (!isPlainObject(value)) fail(path, `must be an upstream name or an object { upstream, ... }, got ${describe(value)}`);
  checkKeys(value, LOCATION_KEYS, path);
  const upstream = value.upstream === undefined ? undefined : lookupUpstream(value.upstream, upstreams, `${path}.upstream`);
  return build(key, kind, pattern, upstream, value, path, scope, upstreams);
}

/**
 * A location for a route defined in code (an adapter's `proxyTo`), validated like a configured
 * one: kind `prefix`, pattern `options.prefix` (default `/`), errors named after `where`.
 *
 * @example resolveRouteLocation(config.upstreams, 'api', { prefix: '/api', rewritePrefix: '/' }, 'proxyTo("api")')
 */
export function resolveRouteLocation(
  upstreams: ReadonlyMap<string, ResolvedUpstream>,
  upstream: string,
  options: RouteToOptions | undefined,
  where: string,
): Location {
  return resolveCodeLocation(lookupUpstream(upstream, upstreams, where), options, where);
}

/** `resolveRouteLocation` for an upstream already looked up (what `Switchyard.createLocation` uses). */
export function resolveCodeLocation(upstream: ResolvedUpstream, options: RouteToOptions | undefined, where: string): Location {
  const obj = options === undefined ? {} : expectObject(options, where, 'an options object');
  checkKeys(obj, ROUTE_KEYS, where);
  let prefix = '/';
  if (obj.prefix !== undefined) {
    if (typeof obj.prefix !== 'string') fail(`${where}.prefix`, `must be a path starting with '/', got ${describe(obj.prefix)}`);
    checkRoutePath(obj.prefix, `${where}.prefix`, 'is not a valid prefix');
    prefix = obj.prefix;
  }
  return build(where, 'prefix', prefix, upstream, obj, where);
}

function lookupUpstream(name: unknown, upstreams: ReadonlyMap<string, ResolvedUpstream>, path: string): ResolvedUpstream {
  if (typeof name !== 'string') fail(path, `must be an upstream name, got ${describe(name)}`);
  const found = upstreams.get(name);
  if (found !== undefined) return found;
  const known = [...upstreams.keys()];
  const hint = suggest(name, known);
  return fail(path, `names the unknown upstream ${JSON.stringify(name)} (${hint ? `did you mean ${hint}?` : `known: ${known.join(', ')}`})`);
}

function build(
  key: string,
  kind: LocationKind,
  pattern: string,
  upstream: ResolvedUpstream | undefined,
  options: Record<string, unknown>,
  path: string,
  scope: LocationScope = { accelRedirect: false },
  upstreams?: ReadonlyMap<string, ResolvedUpstream>,
): Location {
  const content = resolveContent(kind, upstream !== undefined, options, path, scope.setNames ?? new Set());
  let rewritePrefix: string | undefined;
  if (options.rewritePrefix !== undefined) {
    const rp = options.rewritePrefix;
    if (kind === 'regex' || kind === 'regex-i' || kind === 'named') {
      fail(`${path}.rewritePrefix`, `cannot be used in a ${kind === 'named' ? 'named' : 'regex'} location (nginx refuses a URI in proxy_pass there too)`);
    }
    if (typeof rp !== 'string' || !/^\/[^\s?#\\\x00-\x1f\x7f]*$/.test(rp)) {
      fail(`${path}.rewritePrefix`, `must be a path starting with '/' without query, spaces or control characters, got ${describe(rp)}`);
    }
    rewritePrefix = rp;
  }
  // nginx merges `internal` into nested locations; a named location is reachable only internally.
  const internal = kind === 'named' || optionalBoolean(options.internal, `${path}.internal`, scope.parent?.internal === true);
  const preserveHost = optionalBoolean(options.preserveHost, `${path}.preserveHost`, DEFAULT_PRESERVE_HOST);
  const headers = resolveHeaders(options.headers, `${path}.headers`, scope.maps);
  const headerDefaults = options.headerDefaults ?? 'switchyard';
  if (headerDefaults !== 'switchyard' && headerDefaults !== 'nginx') {
    fail(`${path}.headerDefaults`, `must be 'switchyard' or 'nginx', got ${describe(headerDefaults)}`);
  }
  const nginx = headerDefaults === 'nginx';
  const forwardedHeaders = optionalBoolean(options.forwardedHeaders, `${path}.forwardedHeaders`, !nginx);
  // nginx hides the upstream's Date and Server (it writes its own) besides the proxy instructions.
  const hide = [...(nginx ? NGINX_HIDDEN : []), ...headerNames(options.hideHeaders, `${path}.hideHeaders`)];
  // client_max_body_size: the location's own, else the enclosing location's, else the level above's (nginx's inheritance).
  const maxBodyBytes =
    options.maxBodySize !== undefined ? parseBodySize(options.maxBodySize, `${path}.maxBodySize`) : (scope.parent?.maxBodyBytes ?? scope.maxBodyBytes ?? 0);
  // nginx's limit directives: each one given here replaces the enclosing location's, else the level above's.
  const limits = resolveLimits(options.limits, `${path}.limits`, scope.parent?.limits ?? scope.limits, scope.zones ?? NO_ZONES);
  // add_header / expires: the location's own, else the enclosing location's, else the level above's.
  const responseHeaders = resolveAddedHeaders(options, path, scope.parent === undefined ? scope.responseHeaders : scope.parent.responseHeaders);
  const location: Location = {
    key,
    kind,
    pattern,
    upstream: upstream?.name,
    ...(content !== undefined ? { content } : {}),
    rewritePrefix,
    preserveHost,
    headers,
    headerDefaults,
    forwardedHeaders,
    requestHeaders: compileRequestHeaders(headers, forwardedHeaders, preserveHost, nginx, upstream?.name ?? '', scope.maps),
    hiddenHeaders: hiddenHeaderSet(hide, headerNames(options.passHeaders, `${path}.passHeaders`)),
    retry: resolveRetry(options.retry, `${path}.retry`, upstream?.retry ?? DEFAULT_RETRY),
    timeouts: resolveTimeouts(options.timeouts, `${path}.timeouts`, upstream?.timeouts ?? DEFAULT_TIMEOUTS),
    websocket: optionalBoolean(options.websocket, `${path}.websocket`, DEFAULT_WEBSOCKET),
    // Proxied answers get add_header / expires through the response header hook (see withAddedHeaders).
    hooks: withAddedHeaders(mergeHooks(readHooks(options, path), upstream?.hooks, path), upstream === undefined ? undefined : responseHeaders),
    internal,
    accelRedirect: optionalBoolean(options.accelRedirect, `${path}.accelRedirect`, scope.accelRedirect),
    absoluteRedirect:
      options.absoluteRedirect === undefined ? scope.absoluteRedirect : resolveAbsoluteRedirect(options.absoluteRedirect, `${path}.absoluteRedirect`),
    ...(maxBodyBytes > 0 ? { maxBodyBytes } : {}),
    ...(limits !== undefined ? { limits } : {}),
    ...(responseHeaders !== undefined ? { responseHeaders } : {}),
    redirects:
      upstream === undefined
        ? undefined
        : resolveRedirect(options.redirect, `${path}.redirect`, scope.redirect ?? false, { kind, pattern, rewritePrefix, upstream }),
  };
  if (options.locations !== undefined) {
    if (kind === 'exact' || kind === 'named')
      fail(`${path}.locations`, `cannot be inside ${kind === 'exact' ? 'an exact' : 'a named'} location (nginx refuses it)`);
    // The children see the parent (its pattern and `internal`); the parent is frozen with them.
    (location as { locations?: readonly Location[] }).locations = Object.freeze(
      resolveLocations(options.locations, upstreams ?? new Map(upstream === undefined ? [] : [[upstream.name, upstream]]), `${path}.locations`, {
        ...scope,
        parent: location,
      }),
    );
  }
  return Object.freeze(location);
}

/**
 * What a location answers itself: rewrite steps, a `return`, files. A location without `upstream`
 * must have one of them; proxy-only options are refused there (they would do nothing).
 */
function resolveContent(
  kind: LocationKind,
  proxies: boolean,
  options: Record<string, unknown>,
  path: string,
  names: ReadonlySet<string>,
): LocationContent | undefined {
  const own = setNames([options.rewrite]);
  const all = own.size === 0 ? names : new Set([...names, ...own]);
  const rewrite = options.rewrite === undefined ? undefined : compileProgram(options.rewrite, `${path}.rewrite`, all);
  const ret = options.return === undefined ? undefined : compileReturn(options.return, `${path}.return`, all);
  const files = compileFiles(options, path, all, kind);
  if (!proxies) {
    if (rewrite === undefined && ret === undefined && files === undefined) {
      fail(`${path}.upstream`, 'is required unless the location answers itself (root, alias, tryFiles, return or rewrite)');
    }
    for (const key of PROXY_ONLY) if (options[key] !== undefined) fail(`${path}.${key}`, 'only applies to a location that proxies (give upstream)');
  } else {
    if (ret !== undefined) fail(`${path}.return`, 'answers every request of the location, so upstream would never be used: give one or the other');
    if (files?.tryFiles !== undefined)
      fail(
        `${path}.tryFiles`,
        "cannot be used beside upstream (nginx would proxy the URI of the file it found): proxy from a named location given as the last entry, e.g. tryFiles: ['$uri', '@app']",
      );
  }
  if (rewrite === undefined && ret === undefined && files === undefined) return undefined;
  return Object.freeze({ rewrite, return: ret, files });
}

/** `absoluteRedirect`: false/undefined (relative), true (Host header and port), or `{ serverName?, port? }`. */
export function resolveAbsoluteRedirect(input: unknown, path: string): Location['absoluteRedirect'] {
  if (input === undefined || input === false) return undefined;
  if (input === true) return ABSOLUTE_DEFAULT;
  const obj = expectObject(input, path, 'a boolean or { serverName?, port? }');
  checkKeys(obj, ['serverName', 'port'] as const, path);
  const name = obj.serverName;
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z0-9._-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(name))) {
    fail(`${path}.serverName`, `must be a host name (letters, digits, '.', '-', '_'), got ${describe(name)}`);
  }
  return Object.freeze({ serverName: name, port: optionalBoolean(obj.port, `${path}.port`, true) });
}

const NO_ZONES: LimitZones = new Map();
const ABSOLUTE_DEFAULT = Object.freeze({ serverName: undefined, port: true });

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NGINX_HIDDEN = ['date', 'server'];

/**
 * Connection-level headers: the transports set them per connection (undici refuses some outright),
 * so a configured value would break requests or framing. Host may be set (nginx `proxy_set_header Host`).
 */
const CONNECTION_LEVEL: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'expect', 'content-length']);

/**
 * Header names are lower-cased (HTTP names are case-insensitive), so two spellings of one name are
 * refused. Values are compiled here once, so an unknown nginx variable is an error naming the header.
 */
function resolveHeaders(input: unknown, path: string, maps: ResolvedMaps | undefined): Readonly<Record<string, string>> {
  if (input === undefined) return EMPTY_HEADERS;
  const obj = expectObject(input, path, 'an object of header name to string value');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(obj)) {
    const at = child(path, name);
    if (typeof value !== 'string') fail(at, `must be a string, got ${describe(value)}`);
    if (/[\r\n\0]/.test(value)) fail(at, 'must not contain CR, LF or NUL');
    checkHeader(name, value, at);
    const lower = name.toLowerCase();
    if (CONNECTION_LEVEL.has(lower)) fail(at, `is a hop-by-hop/framing header switchyard manages itself and cannot be set`);
    if (Object.hasOwn(out, lower)) fail(at, `repeats the header ${lower} (names are case-insensitive)`);
    try {
      compileHeaderValue(value, undefined, maps);
    } catch (err) {
      if (err instanceof HeaderValueError) fail(at, err.message);
      throw err;
    }
    if (lower === 'host' && value === '') fail(at, 'must not be empty (every HTTP/1.1 request has a Host)');
    out[lower] = value;
  }
  return Object.freeze(out);
}

/** `hideHeaders` / `passHeaders`: header names, lower-cased. */
function headerNames(input: unknown, path: string): string[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) fail(path, `must be an array of header names, got ${describe(input)}`);
  return input.map((name: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) fail(at, `must be a header name, got ${describe(name)}`);
    return name.toLowerCase();
  });
}
