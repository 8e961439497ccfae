/** @module Locations: nginx-syntax keys (`= /x`, `^~ /s/`, `/p/`, `~ re`, `~* re`) and their options merged over the upstream's. */
import type { Location, LocationKind, ResolvedUpstream, RouteToOptions } from '../types.js';
import { encodePath, normalizePath } from '../routing/normalize-path.js';
import { DEFAULT_PRESERVE_HOST, DEFAULT_WEBSOCKET } from './defaults.js';
import { checkKeys, child, describe, expectObject, fail, isPlainObject, optionalBoolean, suggest } from './describe.js';
import { resolveRetry, resolveTimeouts } from './resolve-policies.js';
import { checkHeader } from './header-check.js';
import { parseBodySize } from './body-size.js';
import { HOP_BY_HOP_HEADERS } from '../http/hop-by-hop.js';

import { HOOK_KEYS, mergeHooks, readHooks } from '../hooks/resolve-hooks.js';

const LOCATION_KEYS = ['upstream', 'rewritePrefix', 'preserveHost', 'headers', 'retry', 'timeouts', 'websocket', 'maxBodySize', ...HOOK_KEYS] as const;
const ROUTE_KEYS = ['prefix', 'rewritePrefix', 'preserveHost', 'headers', 'retry', 'timeouts', 'websocket', 'maxBodySize', ...HOOK_KEYS] as const;

/**
 * Read an nginx location key. Modifiers may be followed by spaces or not (`=/x` is `= /x`, as in
 * nginx). Path patterns must start with `/` and be normalised already (`/a//b/`, `/a/../b`, `%2F`
 * could never match, because matching runs on the normalised, decoded path). Regexes are compiled
 * here once to report a bad one by its key. Named locations (`@x`) are refused.
 */
export function parseLocationKey(key: string, path: string): { kind: LocationKind; pattern: string } {
  const text = key.trim();
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
    return { kind, pattern };
  }
  if (pattern.startsWith('@')) fail(path, 'is a named location (@name), which switchyard does not support');
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

/** Resolve one `locations` entry against the resolved upstreams. */
export function resolveLocation(key: string, value: unknown, upstreams: ReadonlyMap<string, ResolvedUpstream>, path: string): Location {
  const { kind, pattern } = parseLocationKey(key, path);
  if (typeof value === 'string') {
    const upstream = lookupUpstream(value, upstreams, `${path}.upstream`);
    return build(key, kind, pattern, upstream, {}, path);
  }
  if (!isPlainObject(value)) fail(path, `must be an upstream name or an object { upstream, ... }, got ${describe(value)}`);
  checkKeys(value, LOCATION_KEYS, path);
  if (value.upstream === undefined) fail(`${path}.upstream`, 'is required');
  const upstream = lookupUpstream(value.upstream, upstreams, `${path}.upstream`);
  return build(key, kind, pattern, upstream, value, path);
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
  const location = build(where, 'prefix', prefix, upstream, obj, where);
  const limit = obj.maxBodySize === undefined ? 0 : parseBodySize(obj.maxBodySize, `${where}.maxBodySize`);
  return limit > 0 ? Object.freeze({ ...location, maxBodyBytes: limit }) : location;
}

function lookupUpstream(name: unknown, upstreams: ReadonlyMap<string, ResolvedUpstream>, path: string): ResolvedUpstream {
  if (typeof name !== 'string') fail(path, `must be an upstream name, got ${describe(name)}`);
  const found = upstreams.get(name);
  if (found !== undefined) return found;
  const known = [...upstreams.keys()];
  const hint = suggest(name, known);
  return fail(path, `names the unknown upstream ${JSON.stringify(name)} (${hint ? `did you mean ${hint}?` : `known: ${known.join(', ')}`})`);
}

function build(key: string, kind: LocationKind, pattern: string, upstream: ResolvedUpstream, options: Record<string, unknown>, path: string): Location {
  let rewritePrefix: string | undefined;
  if (options.rewritePrefix !== undefined) {
    const rp = options.rewritePrefix;
    if (kind === 'regex' || kind === 'regex-i') {
      fail(`${path}.rewritePrefix`, 'cannot be used in a regex location (nginx refuses a URI in proxy_pass there too)');
    }
    if (typeof rp !== 'string' || !/^\/[^\s?#\\\x00-\x1f\x7f]*$/.test(rp)) {
      fail(`${path}.rewritePrefix`, `must be a path starting with '/' without query, spaces or control characters, got ${describe(rp)}`);
    }
    rewritePrefix = rp;
  }
  return Object.freeze({
    key,
    kind,
    pattern,
    upstream: upstream.name,
    rewritePrefix,
    preserveHost: optionalBoolean(options.preserveHost, `${path}.preserveHost`, DEFAULT_PRESERVE_HOST),
    headers: resolveHeaders(options.headers, `${path}.headers`),
    retry: resolveRetry(options.retry, `${path}.retry`, upstream.retry),
    timeouts: resolveTimeouts(options.timeouts, `${path}.timeouts`, upstream.timeouts),
    websocket: optionalBoolean(options.websocket, `${path}.websocket`, DEFAULT_WEBSOCKET),
    hooks: mergeHooks(readHooks(options, path), upstream.hooks, path),
  });
}

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Connection-level headers: the transports set them per connection (undici refuses some outright),
 * so a configured value would break requests or framing. Host is `preserveHost`'s business.
 */
const CONNECTION_LEVEL: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'expect', 'content-length', 'host']);

/** Header names are lower-cased (HTTP names are case-insensitive), so two spellings of one name are refused. */
function resolveHeaders(input: unknown, path: string): Readonly<Record<string, string>> {
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
    out[lower] = value;
  }
  return Object.freeze(out);
}
