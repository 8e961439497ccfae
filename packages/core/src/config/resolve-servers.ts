/** @module Validation of `servers` (virtual hosts): names as nginx's server_name, one default, each host's locations and `return`. */
import type { Location, ResolvedUpstream, ResolvedVirtualServer, ReturnOptions } from '../types.js';
import { checkKeys, describe, fail, isPlainObject, optionalBoolean } from './describe.js';
import { resolveLocations } from './resolve-location.js';
import { compileProgram, siteSetNames } from '../rewrite/compile-program.js';
import { withMapNames } from '../rewrite/map-variables.js';
import type { ResolvedMaps } from '../maps/map-types.js';
import { parseBodySize } from './body-size.js';
import { resolveLimits, type LimitZones } from '../limits/resolve-limits.js';
import type { ResolvedLimits } from '../limits/limit-types.js';
import { ADDED_HEADER_KEYS, resolveAddedHeaders } from '../added-headers/resolve-added-headers.js';
import type { ResponseHeaderPlan } from '../added-headers/added-header-types.js';
import { classifyServerName } from '../routing/virtual-hosts/server-names.js';
import { RETURN_VARIABLES, unknownReturnVariables } from '../routing/virtual-hosts/return-answer.js';

const SERVER_KEYS = ['names', 'default', 'locations', 'return', 'maxBodySize', 'rewrite', 'limits', ...ADDED_HEADER_KEYS] as const;
const RETURN_KEYS = ['status', 'url', 'body'] as const;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** nginx's non-standard 444: close the connection, send nothing. */
const CLOSE_STATUS = 444;

/** What every location of the configuration takes from the top level: the X-Accel-Redirect and slash-redirect defaults. */
export interface TopLocationScope {
  readonly accelRedirect: boolean;
  readonly absoluteRedirect?: Location['absoluteRedirect'];
  /** The top-level `redirect` (nginx `proxy_redirect`): `'default'` or false. */
  readonly redirect?: 'default' | false;
  /** The variables the server's rewrite steps `set`. */
  readonly setNames?: ReadonlySet<string>;
  /** The zones of `limitZones`, by name. */
  readonly zones?: LimitZones;
  /** The top-level `maps`: variables of headers and (those the rewrite module can evaluate) of rewrite steps. */
  readonly maps?: ResolvedMaps;
  /** The top-level `limits`. */
  readonly limits?: ResolvedLimits;
  /** The top-level `addHeaders` / `expires`. */
  readonly responseHeaders?: ResponseHeaderPlan;
}

/** One `locations` object (top level or of a server), in config order, nested ones inside, with nginx's "duplicate location" check. */
export function resolveLocationMap(
  value: unknown,
  upstreams: ReadonlyMap<string, ResolvedUpstream>,
  path: string,
  scope: TopLocationScope,
  maxBodyBytes = 0,
): Location[] {
  const out = resolveLocations(value, upstreams, path, { ...scope, maxBodyBytes });
  checkNamedFallbacks(out, path);
  return out;
}

/** A `tryFiles` ending in `@name` must name a named location of the same server (nginx would answer 500 at run time). */
function checkNamedFallbacks(locations: readonly Location[], path: string): void {
  const named = new Set(locations.filter((l) => l.kind === 'named').map((l) => l.pattern));
  const walk = (list: readonly Location[], at: string): void => {
    for (const l of list) {
      const fallback = l.content?.files?.fallback;
      if (fallback?.kind === 'named' && !named.has(fallback.name)) {
        const known = [...named];
        fail(
          `${at}[${JSON.stringify(l.key)}].tryFiles`,
          `ends with ${fallback.name}, which is no named location of ${at === 'locations' ? 'the configuration' : 'this server'} (${known.length === 0 ? 'none is defined' : `known: ${known.join(', ')}`})`,
        );
      }
      if (l.locations !== undefined) walk(l.locations, at);
    }
  };
  walk(locations, path);
}

/**
 * `servers: [{ names, default?, locations?, return? }]`. A name two servers give is refused (nginx
 * warns "conflicting server name" and keeps the first: a typo here would silently send one host's
 * traffic to the other); so is a second `default: true`.
 */
export function resolveServers(
  value: unknown,
  upstreams: ReadonlyMap<string, ResolvedUpstream>,
  scope: TopLocationScope,
  maxBodyBytes = 0,
): ResolvedVirtualServer[] {
  if (!Array.isArray(value)) fail('servers', `must be an array of virtual hosts [{ names, locations }], got ${describe(value)}`);
  if (value.length === 0) fail('servers', 'must list at least one virtual host');
  const owner = new Map<string, string>();
  let defaultAt: string | undefined;
  return (value as unknown[]).map((entry, i) => {
    const path = `servers[${i}]`;
    if (!isPlainObject(entry)) fail(path, `must be an object { names, locations?, default?, return? }, got ${describe(entry)}`);
    checkKeys(entry, SERVER_KEYS, path);
    const names: string[] = [];
    if (entry.names !== undefined) {
      if (!Array.isArray(entry.names)) fail(`${path}.names`, `must be an array of server names, got ${describe(entry.names)}`);
      (entry.names as unknown[]).forEach((name, j) => {
        const at = `${path}.names[${j}]`;
        if (typeof name !== 'string') fail(at, `must be a server name string, got ${describe(name)}`);
        const c = classifyServerName(name);
        if ('error' in c) fail(at, `${JSON.stringify(name)} ${c.error}`);
        const key = c.kind === 'regex' ? name : name.toLowerCase();
        const other = owner.get(key);
        if (other !== undefined) fail(at, `${JSON.stringify(name)} is already a name of ${other}`);
        owner.set(key, path);
        names.push(c.kind === 'regex' ? name : name.toLowerCase());
      });
    }
    const isDefault = optionalBoolean(entry.default, `${path}.default`, false);
    if (isDefault && defaultAt !== undefined) fail(`${path}.default`, `only one server can be the default, ${defaultAt} already is`);
    if (isDefault) defaultAt = path;
    const ret = entry.return === undefined ? undefined : resolveReturn(entry.return, `${path}.return`);
    if (ret !== undefined && entry.locations !== undefined) {
      fail(`${path}.return`, 'answers every request of the server, so its locations would never be used: give one or the other');
    }
    const limit = entry.maxBodySize === undefined ? maxBodyBytes : parseBodySize(entry.maxBodySize, `${path}.maxBodySize`);
    const siteNames = withMapNames(siteSetNames(entry.rewrite, entry.locations), scope.maps);
    const rewrite = entry.rewrite === undefined ? undefined : compileProgram(entry.rewrite, `${path}.rewrite`, siteNames);
    const limits = resolveLimits(entry.limits, `${path}.limits`, scope.limits, scope.zones ?? new Map());
    const responseHeaders = resolveAddedHeaders(entry, path, scope.responseHeaders);
    const hostScope = { ...(limits === undefined ? scope : { ...scope, limits }), setNames: siteNames, responseHeaders };
    const locations = entry.locations === undefined ? [] : resolveLocationMap(entry.locations, upstreams, `${path}.locations`, hostScope, limit);
    return Object.freeze({
      names: Object.freeze(names),
      default: isDefault,
      locations: Object.freeze(locations),
      return: ret,
      ...(rewrite !== undefined ? { rewrite } : {}),
      ...(responseHeaders !== undefined ? { responseHeaders } : {}),
    });
  });
}

function resolveReturn(value: unknown, path: string): Readonly<ReturnOptions> {
  if (!isPlainObject(value)) fail(path, `must be an object { status, url? | body? }, got ${describe(value)}`);
  checkKeys(value, RETURN_KEYS, path);
  const status = value.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || ((status < 200 || status > 599) && status !== CLOSE_STATUS)) {
    fail(`${path}.status`, `must be an HTTP status from 200 to 599, or 444 (close the connection without an answer), got ${describe(status)}`);
  }
  const out: ReturnOptions = { status };
  if (status === CLOSE_STATUS) {
    // nginx's 444 writes nothing, so a Location or a text would never reach the client.
    for (const field of ['url', 'body'] as const) {
      if (value[field] !== undefined) fail(`${path}.${field}`, 'is not sent with status 444 (the connection is closed without an answer): leave it out');
    }
    return Object.freeze(out);
  }
  for (const field of ['url', 'body'] as const) {
    const text = value[field];
    if (text === undefined) continue;
    if (typeof text !== 'string') fail(`${path}.${field}`, `must be a string, got ${describe(text)}`);
    const unknown = unknownReturnVariables(text);
    if (unknown.length > 0)
      fail(`${path}.${field}`, `uses $${unknown[0]}, which switchyard does not know (known: ${RETURN_VARIABLES.map((v) => `$${v}`).join(', ')})`);
    out[field] = text;
  }
  if (REDIRECTS.has(status) && out.url === undefined) fail(`${path}.url`, `is required with status ${status} (the Location of the redirect)`);
  if (!REDIRECTS.has(status) && out.url !== undefined)
    fail(`${path}.url`, `only goes with a redirect status (301, 302, 303, 307, 308), got ${status}: use body`);
  if (out.url !== undefined && /[\r\n]/.test(out.url)) fail(`${path}.url`, 'may not contain line breaks');
  return Object.freeze(out);
}
