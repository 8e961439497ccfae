/** @module nginx variables in configured request header values (`$host`, `$remote_addr`, `$http_x_name`...), compiled once at config time into a small function per header. */
import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { displayAddress } from './client-address.js';
import { evaluateMap } from '../maps/find-map-entry.js';
import type { ResolvedMap, ResolvedMaps } from '../maps/map-types.js';

/** What a variable reads for one request: the client's headers and connection, the location's upstream and the picked server. */
export interface VariableSource {
  readonly incoming: IncomingHttpHeaders;
  /** The TCP peer of the client connection. */
  readonly peerIp: string | undefined;
  readonly encrypted: boolean;
  /** The location's upstream name (nginx `$proxy_host` is the name `proxy_pass` gives). */
  readonly upstream: string;
  /** The picked server's protocol (`'http:'`/`'https:'`), for `$proxy_port`. */
  readonly serverProtocol: string;
  readonly method?: string | undefined;
  /** The request target as the client sent it (nginx `$request_uri`). */
  readonly requestUri?: string | undefined;
  /** The client connection, read only by `$remote_port` / `$server_port`. */
  readonly socket?: { readonly remotePort?: number | undefined; readonly localPort?: number | undefined } | undefined;
}

/** A compiled header value: a literal, or a function of the request. */
export type HeaderValue = string | ((r: VariableSource) => string);

type Getter = (r: VariableSource) => string;

function headerText(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(', ');
}

/** nginx `$host`: the Host header lower-cased, without its port (an IPv6 literal keeps its brackets). */
function hostVariable(r: VariableSource): string {
  const host = r.incoming.host;
  if (host === undefined || host === '') return '';
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

/** `$proxy_port`: the port written in the upstream name (`host:port`), else the scheme's default. */
function proxyPort(r: VariableSource): string {
  const m = /:(\d+)$/.exec(r.upstream);
  if (m !== null) return m[1]!;
  return r.serverProtocol === 'https:' ? '443' : '80';
}

function clientAddress(r: VariableSource): string {
  return displayAddress(r.peerIp);
}

const VARIABLES: ReadonlyMap<string, Getter> = new Map<string, Getter>([
  ['host', hostVariable],
  ['http_host', (r) => r.incoming.host ?? ''],
  ['remote_addr', clientAddress],
  ['binary_remote_addr', clientAddress],
  ['remote_port', (r) => String(r.socket?.remotePort ?? '')],
  ['server_port', (r) => String(r.socket?.localPort ?? '')],
  ['scheme', (r) => (r.encrypted ? 'https' : 'http')],
  ['https', (r) => (r.encrypted ? 'on' : '')],
  [
    'proxy_add_x_forwarded_for',
    (r) => {
      const prior = headerText(r.incoming['x-forwarded-for']);
      const ip = clientAddress(r);
      return prior === '' ? ip : `${prior}, ${ip}`;
    },
  ],
  ['proxy_host', (r) => r.upstream],
  ['proxy_port', proxyPort],
  ['request_uri', (r) => r.requestUri ?? ''],
  ['request_method', (r) => r.method ?? ''],
  ['uri', (r) => decodedPath(r.requestUri ?? '')],
  ['args', (r) => query(r.requestUri ?? '')],
  ['query_string', (r) => query(r.requestUri ?? '')],
  ['is_args', (r) => ((r.requestUri ?? '').includes('?') ? '?' : '')],
  ['content_type', (r) => headerText(r.incoming['content-type'])],
  ['content_length', (r) => headerText(r.incoming['content-length'])],
  ['http_cookie', (r) => headerText(r.incoming.cookie)],
  // Seconds with milliseconds, as nginx writes `$msec` (X-Request-Start "t=${msec}" for queue-time metrics).
  ['msec', () => (Date.now() / 1000).toFixed(3)],
  ['time_iso8601', () => new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00')],
  // 32 hex digits as nginx's; one per try here (nginx keeps one per request).
  ['request_id', () => randomBytes(16).toString('hex')],
  ['pid', () => String(process.pid)],
]);

function query(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? '' : uri.slice(q + 1);
}

function decodedPath(uri: string): string {
  const q = uri.indexOf('?');
  const path = q === -1 ? uri : uri.slice(0, q);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** `$http_NAME`: the request header NAME with `_` for `-` (repeated ones joined with `, `). */
function requestHeader(name: string): Getter {
  const header = name.replace(/_/g, '-');
  return (r) => headerText(r.incoming[header]);
}

/** `$cookie_NAME`: the value of cookie NAME (case-insensitive, as nginx), parsed only for requests of a header that uses it. */
function cookie(name: string): Getter {
  return (r) => {
    const text = headerText(r.incoming.cookie);
    if (text === '') return '';
    for (const part of text.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim().toLowerCase() === name) return part.slice(eq + 1).trim();
    }
    return '';
  };
}

/** `$arg_NAME`: the raw (not decoded) value of query argument NAME, case-insensitive as nginx. */
function argument(name: string): Getter {
  const lower = name.toLowerCase();
  return (r) => {
    const q = query(r.requestUri ?? '');
    if (q === '') return '';
    for (const part of q.split('&')) {
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      if (key.toLowerCase() === lower) return eq === -1 ? '' : part.slice(eq + 1);
    }
    return '';
  };
}

/** The getter of one variable name, `undefined` when switchyard does not know it. */
function variable(name: string): Getter | undefined {
  const fixed = VARIABLES.get(name);
  if (fixed !== undefined) return fixed;
  if (name.startsWith('http_') && name.length > 5) return requestHeader(name.slice(5).toLowerCase());
  if (name.startsWith('cookie_') && name.length > 7) return cookie(name.slice(7));
  if (name.startsWith('arg_') && name.length > 4) return argument(name.slice(4));
  return undefined;
}

/** Thrown by `compileHeaderValue` with the reason; the caller adds where the value was written. */
export class HeaderValueError extends Error {}

/** The variable names `compileHeaderValue` accepts, for error messages and docs. */
export const KNOWN_VARIABLES: readonly string[] = [...VARIABLES.keys(), 'http_NAME', 'cookie_NAME', 'arg_NAME'];

function unknownVariable(name: string): string {
  return `uses the nginx variable "$${name}", which switchyard does not evaluate (known: ${KNOWN_VARIABLES.map((v) => `$${v}`).join(', ')}, and the maps)`;
}

/** A map's value per variable source (one per try): nginx evaluates a map once per request unless it is `volatile`. */
const mapValues = new WeakMap<VariableSource, Map<string, string>>();

/**
 * The getter of a map variable in a header value: its source and values compiled against the
 * header variables (and `constants`, and other maps), evaluated on first use per variable source.
 */
function mapGetter(map: ResolvedMap, maps: ResolvedMaps, constants: ReadonlyMap<string, string> | undefined): Getter {
  const what = `the map "$${map.name}"`;
  if (map.outerCaptures !== undefined) {
    throw new HeaderValueError(`uses ${what}, whose ${map.outerCaptures} uses a regex capture ($1...) outside a regex entry: no regex is matched for headers`);
  }
  const getters = new Map<string, Getter>();
  for (const [name, where] of map.uses) {
    const lower = name.toLowerCase();
    const fixed = constants?.get(lower);
    const inner = maps.get(lower);
    const getter = fixed !== undefined ? () => fixed : (variable(lower) ?? (inner !== undefined ? mapGetter(inner, maps, constants) : undefined));
    if (getter === undefined) throw new HeaderValueError(`uses ${what}, whose ${where} ${unknownVariable(name)}`);
    getters.set(name, getter);
  }
  const name = map.name;
  return (r) => {
    let cache = map.volatile ? undefined : mapValues.get(r);
    const hit = cache?.get(name);
    if (hit !== undefined) return hit;
    const { value } = evaluateMap(map, (n) => getters.get(n)?.(r));
    if (!map.volatile) {
      if (cache === undefined) mapValues.set(r, (cache = new Map<string, string>()));
      cache.set(name, value);
    }
    return value;
  };
}

/**
 * Compile a header value as nginx reads it: `$name` or `${name}` is a variable (name: letters,
 * digits, `_`), anything else is literal text. A `$` not followed by a name character or `{` stays
 * a literal `$` (so `'$ 5'` is sent as written). Throws `HeaderValueError` for an unknown variable
 * or a regex capture (`$1`), which switchyard has no regex to fill. `constants`: variables whose
 * value is known at config time (lower-case name to text), folded into the literal. `maps`: the
 * configuration's `maps`, usable as variables (evaluated once per request, on first use).
 *
 * @example compileHeaderValue('$scheme://$host') // (r) => 'https://shop.example'
 */
export function compileHeaderValue(value: string, constants?: ReadonlyMap<string, string>, maps?: ResolvedMaps): HeaderValue {
  const parts: Array<string | Getter> = [];
  let literal = '';
  let i = 0;
  while (i < value.length) {
    const dollar = value.indexOf('$', i);
    if (dollar === -1) {
      literal += value.slice(i);
      break;
    }
    literal += value.slice(i, dollar);
    let name: string;
    let next: number;
    if (value[dollar + 1] === '{') {
      const close = value.indexOf('}', dollar + 2);
      if (close === -1) throw new HeaderValueError(`has "\${" without a closing "}"`);
      name = value.slice(dollar + 2, close);
      next = close + 1;
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new HeaderValueError(`has an invalid variable name "\${${name}}"`);
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(value.slice(dollar + 1));
      if (m === null) {
        literal += '$';
        i = dollar + 1;
        continue;
      }
      name = m[0];
      next = dollar + 1 + name.length;
    }
    if (/^\d/.test(name)) throw new HeaderValueError(`uses the regex capture "$${name}", which switchyard cannot fill (no regex is matched for headers)`);
    const fixed = constants?.get(name.toLowerCase());
    if (fixed !== undefined) {
      // Known at config time (the location's `$proxy_host`): literal text, nothing to run per request.
      literal += fixed;
      i = next;
      continue;
    }
    const lower = name.toLowerCase();
    const map = maps?.get(lower);
    const getter = variable(lower) ?? (map !== undefined && maps !== undefined ? mapGetter(map, maps, constants) : undefined);
    if (getter === undefined) throw new HeaderValueError(unknownVariable(name));
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(getter);
    i = next;
  }
  if (literal !== '') parts.push(literal);
  if (parts.length === 0) return '';
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  if (parts.length === 1) return parts[0] as Getter;
  return (r) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(r);
    return out;
  };
}

/** True when a compiled value depends on the picked server (the request hook runs before a server is picked). */
export function usesServer(value: string): boolean {
  return /\$\{?proxy_port\b/i.test(value);
}
