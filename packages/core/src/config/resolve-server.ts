/** @module One upstream server: `'http://host:port'` (or `'host:port'`) or `{ url, weight, ... }`. */
import type { ResolvedServer } from '../types.js';
import { DEFAULT_FAIL_TIMEOUT_MS, DEFAULT_MAX_CONNS, DEFAULT_MAX_FAILS, DEFAULT_SLOW_START_MS, DEFAULT_WEIGHT, MAX_WEIGHT } from './defaults.js';
import { checkKeys, describe, fail, isPlainObject, optionalBoolean, optionalInteger } from './describe.js';
import { optionalDuration } from './duration.js';
import { resolveServerRoute } from '../sticky/resolve-sticky.js';
import { resolveUnixUrl } from './resolve-unix-url.js';
import { resolveTls } from './resolve-tls.js';

const SERVER_KEYS = ['url', 'weight', 'maxFails', 'failTimeout', 'backup', 'down', 'drain', 'maxConns', 'slowStart', 'route', 'tls'] as const;

/**
 * Validate one server and apply defaults. A string is the url. Urls are `http://` or `https://`
 * with a host, an optional port and an optional base path; `host:port` and `host` without a scheme
 * mean `http://` (as nginx's `server host:port;`). Credentials, query, fragment and other schemes
 * are refused. The url is kept as written (scheme and host lower-cased, a lone trailing `/`
 * dropped) because consistent hashing hashes the host and port as written, like nginx.
 *
 * @example resolveServer({ url: '10.0.0.1:8080', weight: 2 }, 'upstreams.api.servers[0]')
 */
export function resolveServer(input: unknown, path: string): ResolvedServer {
  if (typeof input === 'string') return Object.freeze({ ...defaults(), url: resolveUrl(input, path) });
  if (!isPlainObject(input)) {
    fail(path, `must be a url string ('http://host:port') or an object { url, weight?, ... }, got ${describe(input)}`);
  }
  checkKeys(input, SERVER_KEYS, path);
  if (input.url === undefined) fail(`${path}.url`, 'is required');
  const url = resolveUrl(input.url, `${path}.url`);
  const weight = optionalInteger(input.weight, `${path}.weight`, DEFAULT_WEIGHT, 1);
  if (weight > MAX_WEIGHT)
    fail(`${path}.weight`, `must be at most ${MAX_WEIGHT} (consistent hashing places 160 ring points per unit of weight), got ${weight}`);
  const tls = resolveTls(input.tls, `${path}.tls`);
  if (tls !== undefined && !url.startsWith('https://')) fail(`${path}.tls`, `only applies to an https url, but the url is ${url}`);
  return Object.freeze({
    url,
    weight,
    maxFails: optionalInteger(input.maxFails, `${path}.maxFails`, DEFAULT_MAX_FAILS, 0),
    failTimeoutMs: optionalDuration(input.failTimeout, `${path}.failTimeout`, DEFAULT_FAIL_TIMEOUT_MS),
    backup: optionalBoolean(input.backup, `${path}.backup`, false),
    down: optionalBoolean(input.down, `${path}.down`, false),
    drain: optionalBoolean(input.drain, `${path}.drain`, false),
    maxConns: optionalInteger(input.maxConns, `${path}.maxConns`, DEFAULT_MAX_CONNS, 0),
    slowStartMs: optionalDuration(input.slowStart, `${path}.slowStart`, DEFAULT_SLOW_START_MS),
    ...optionalRoute(resolveServerRoute(input.route, `${path}.route`)),
    ...(tls === undefined ? {} : { tls }),
  });
}

/** `route` only when set, so servers without one resolve exactly as before. */
function optionalRoute(route: string | undefined): { route?: string } {
  return route === undefined ? {} : { route };
}

function defaults(): Omit<ResolvedServer, 'url'> {
  return {
    weight: DEFAULT_WEIGHT,
    maxFails: DEFAULT_MAX_FAILS,
    failTimeoutMs: DEFAULT_FAIL_TIMEOUT_MS,
    backup: false,
    down: false,
    drain: false,
    maxConns: DEFAULT_MAX_CONNS,
    slowStartMs: DEFAULT_SLOW_START_MS,
  };
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** scheme://authority path: the authority is kept exactly as written (URL would drop a default port). */
const PARTS = /^([a-z]+):\/\/([^/?#]*)(.*)$/s;

/** The url as pools store it (`'127.0.0.1:9000'` -> `'http://127.0.0.1:9000'`), or the input when it is not a valid server url. */
export function canonicalServerUrl(value: string): string {
  try {
    return resolveUrl(value, 'url');
  } catch {
    return value;
  }
}

function resolveUrl(value: unknown, path: string): string {
  const expected = "must be an http(s) url like 'http://127.0.0.1:8080'";
  if (typeof value !== 'string' || value.trim() === '') fail(path, `${expected}, got ${describe(value)}`);
  const text = value.trim();
  const scheme = SCHEME.exec(text);
  if (scheme === null && /^unix:/i.test(text)) return resolveUnixUrl(text, path);
  // Without a scheme only `host[:port]` (nginx's `server host:port;`): `http//10.0.0.1:80` (a colon
  // missed) would otherwise become host "http" with the path "//10.0.0.1:80".
  if (scheme === null && /[/\\]/.test(text)) {
    const meant = /^(https?)\/\/?(.+)$/i.exec(text);
    fail(
      path,
      `${expected} (without a scheme only host:port, no path)${meant !== null ? `; did you mean '${meant[1]!.toLowerCase()}://${meant[2]!}'?` : ''}, got ${describe(value)}`,
    );
  }
  const written = scheme === null ? `http://${text}` : `${scheme[1]!.toLowerCase()}${text.slice(scheme[1]!.length)}`;
  const parts = PARTS.exec(written);
  const protocol = parts?.[1];
  if (protocol !== 'http' && protocol !== 'https') fail(path, `${expected} (only http and https), got ${describe(value)}`);
  let parsed: URL;
  try {
    parsed = new URL(written);
  } catch {
    return fail(path, `${expected}, got ${describe(value)} (not a valid url)`);
  }
  if (parsed.username !== '' || parsed.password !== '') fail(path, `${expected} without credentials, got ${describe(value)}`);
  if (written.includes('?') || written.includes('#')) fail(path, `${expected} without query or fragment, got ${describe(value)}`);
  const authority = parts![2]!;
  if (authority === '' || parsed.hostname === '') fail(path, `${expected} (a host is missing), got ${describe(value)}`);
  if (/\s/.test(written)) fail(path, `${expected} without spaces, got ${describe(value)}`);
  if (/:$/.test(authority)) fail(path, `${expected} (empty port), got ${describe(value)}`);
  if (/:$/.test(authority)) fail(path, `${expected} (empty port), got ${describe(value)}`);
  checkAuthority(authority, parsed, expected, path, value);
  const rest = parts![3]!;
  // A base path of RFC 3986 characters with valid %XX escapes only: what is written is what is sent.
  if (rest !== '' && (!/^(\/[A-Za-z0-9\-._~!$&'()*+,;=:@%]*)+$/.test(rest) || /%(?![0-9A-Fa-f]{2})/.test(rest) || rest.startsWith('//'))) {
    fail(path, `${expected} with a base path of plain characters and valid %XX escapes, got ${describe(value)}`);
  }
  return `${protocol}://${authority.toLowerCase()}${rest === '/' ? '' : rest}`;
}

/**
 * The host and port as written must be what the url parser understood: `127.1`, `ex%41mple` or
 * `[::0001]` would be rewritten by it (and reach another address than the one written), so they
 * are refused with the form to write instead.
 */
function checkAuthority(authority: string, parsed: URL, expected: string, path: string, value: unknown): void {
  const v6 = authority.startsWith('[');
  const cut = v6 ? authority.indexOf(']') + 1 : authority.lastIndexOf(':');
  const host = (cut > 0 ? authority.slice(0, cut) : authority).toLowerCase();
  const port = cut > 0 && cut < authority.length ? authority.slice(cut + 1) : '';
  if (host !== parsed.hostname) fail(path, `${expected} with the host written as the parser reads it ('${parsed.hostname}'), got ${describe(value)}`);
  if (port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
    fail(path, `${expected} (the port must be a number 1-65535), got ${describe(value)}`);
}
