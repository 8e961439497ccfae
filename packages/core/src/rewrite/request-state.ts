/** @module The per-request values nginx's rewrite module reads and changes (`$uri`, `$args`, captures, `set` variables), and the variable lookup over them. */
import type { Location, SiteRequestFacts } from '../types.js';
import { mapFilePath } from '../static-files/file-path.js';
import type { ResolvedMaps } from '../maps/map-types.js';
import { mapVariable } from './map-variables.js';

/** One request's state while its rewrite steps and location lookups run. */
export interface RequestState {
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** The normalised Host (`undefined` without one: `$host` is then the server name). */
  readonly host: string | undefined;
  readonly serverName: string;
  readonly facts: SiteRequestFacts | undefined;
  /** `$request_uri`: path and query as received. */
  readonly requestUri: string;
  /** The path as received (what the upstream gets while `$uri` is unchanged). */
  readonly rawPath: string;
  /** `$uri`: decoded, normalised, changed by rewrites and internal redirects. */
  uri: string;
  /** `$args` (without `?`). */
  args: string;
  /** A rewrite or an internal redirect changed the URI: the upstream gets `$uri` encoded, not the raw path. */
  changed: boolean;
  /** The last regex match (a regex location, a `rewrite`, an `if ~`): `$0`-`$9`. */
  captures: readonly (string | undefined)[];
  /** `set $name value`. */
  vars: Map<string, string> | undefined;
  /** The location being processed (for `$request_filename`, `$document_root`). */
  location: Location | undefined;
  /** The configuration's `maps` (variables evaluated on first use). */
  readonly maps?: ResolvedMaps | undefined;
  /** The non-volatile maps' values once evaluated (nginx caches a variable per request). */
  mapValues?: Map<string, string> | undefined;
}

function header(facts: SiteRequestFacts | undefined, name: string): string | undefined {
  const v = facts?.headers?.[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  // nginx joins repeated headers with ", " (cookies with "; ").
  return v.join(name === 'cookie' ? '; ' : ', ');
}

function cookie(facts: SiteRequestFacts | undefined, name: string): string | undefined {
  const all = header(facts, 'cookie');
  if (all === undefined) return undefined;
  for (const pair of all.split(/;\s*/)) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1);
  }
  return undefined;
}

function arg(args: string, name: string): string | undefined {
  if (args === '') return undefined;
  // nginx compares argument names case-insensitively and gives the raw (undecoded) value.
  const want = name.toLowerCase();
  for (const pair of args.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key.toLowerCase() === want) return eq === -1 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

/** `$name` for this request, `undefined` when it has no value (expanded as empty, as nginx's not-found variables). */
export function lookupVariable(state: RequestState, name: string): string | undefined {
  const c = name.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39 && name.length === 1) return state.captures[c - 0x30];
  switch (name) {
    case 'uri':
    case 'document_uri':
      return state.uri;
    case 'request_uri':
      return state.requestUri;
    case 'args':
    case 'query_string':
      return state.args;
    case 'is_args':
      return state.args === '' ? '' : '?';
    case 'host':
      return state.host ?? state.serverName;
    case 'scheme':
      return state.scheme;
    case 'server_name':
      return state.serverName;
    case 'request_method':
      return state.method;
    case 'remote_addr':
      return state.facts?.remoteAddress;
    case 'request_filename':
    case 'document_root':
      return filename(state, name === 'document_root');
  }
  if (name.startsWith('http_')) return header(state.facts, name.slice(5).toLowerCase().replace(/_/g, '-'));
  if (name.startsWith('cookie_')) return cookie(state.facts, name.slice(7));
  if (name.startsWith('arg_')) return arg(state.args, name.slice(4));
  const set = state.vars?.get(name);
  if (set !== undefined || state.maps === undefined) return set;
  return mapVariable(state, name, (n) => lookupVariable(state, n));
}

function filename(state: RequestState, root: boolean): string | undefined {
  const location = state.location;
  const files = location?.content?.files;
  if (location === undefined || files === undefined) return undefined;
  const mapped = mapFilePath(location, files, state.uri, (n) => lookupVariable(state, n));
  return mapped === undefined ? undefined : root ? mapped.base : mapped.full;
}
