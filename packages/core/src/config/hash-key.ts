/** @module `hash.key` strings: nginx variables in literal text, compiled once into a cheap per-request function. */
import type { RequestInfo } from '../types.js';
import { fail } from './describe.js';
import { normalizePath } from '../routing/normalize-path.js';

/** nginx's `$uri`: the decoded, normalised path (dot segments and duplicate slashes resolved); the raw path if it cannot be normalised. */
function nginxUri(url: string): string {
  const path = pathOf(url);
  return normalizePath(path) ?? path;
}

type Part = string | ((req: RequestInfo) => string);

/** A copy of `entries` without a prototype, so only its own names are found. */
function nullPrototype<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** Variables with a fixed name; `$http_*`, `$cookie_*` and `$arg_*` are families. Null prototype: `$constructor` is unknown, not Object. */
const FIXED: Readonly<Record<string, (req: RequestInfo) => string>> = nullPrototype<(req: RequestInfo) => string>({
  request_uri: (req) => req.url,
  uri: (req) => nginxUri(req.url),
  document_uri: (req) => nginxUri(req.url),
  args: (req) => argsOf(req.url),
  query_string: (req) => argsOf(req.url),
  is_args: (req) => (req.url.includes('?') ? '?' : ''),
  remote_addr: (req) => unmapIPv4(req.clientIp),
  host: (req) => hostOf(req),
  request_method: (req) => req.method,
});

/** The variable names a key may use, for error messages and docs. */
export const HASH_KEY_VARIABLES: readonly string[] = Object.freeze([
  ...Object.keys(FIXED).map((n) => `$${n}`),
  '$http_<name>',
  '$cookie_<name>',
  '$arg_<name>',
]);

/**
 * Compile an nginx-style hash key such as `'$host$request_uri'`, `'user:${cookie_uid}'` or
 * `'$http_x_tenant'`. Variables: `$request_uri` (path and query as received), `$uri` (the path
 * without query, decoded and normalised as nginx's), `$args`, `$is_args`, `$remote_addr` (`::ffff:` mapped addresses as
 * IPv4), `$host` (Host header, lowercased, without port), `$request_method`, `$http_<name>` (header,
 * dashes written as underscores), `$cookie_<name>` and `$arg_<name>` (first match, names
 * case-insensitive, values not decoded, as nginx). A missing value is `''`. An unknown variable or a
 * `$` that starts no variable throws a config error naming `path`.
 *
 * @example compileHashKey('$remote_addr:$arg_user', 'upstreams.api.hash.key')
 */
export function compileHashKey(source: string, path: string): (req: RequestInfo) => string {
  if (typeof source !== 'string' || source === '') fail(path, `must be a non-empty string or a function, got ${JSON.stringify(source)}`);
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch !== '$') {
      literal += ch;
      i++;
      continue;
    }
    let name: string;
    if (source[i + 1] === '{') {
      const close = source.indexOf('}', i + 2);
      name = close === -1 ? '' : source.slice(i + 2, close);
      if (!/^\w+$/.test(name)) fail(path, `has an invalid variable at offset ${i} in ${JSON.stringify(source)} (expected \${name})`);
      i = close + 1;
    } else {
      const m = /^\w+/.exec(source.slice(i + 1));
      if (m === null) fail(path, `has a "$" that starts no variable at offset ${i} in ${JSON.stringify(source)}`);
      name = m[0];
      i += 1 + name.length;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(variable(name, path));
  }
  if (literal !== '') parts.push(literal);

  if (parts.length === 1) {
    const only = parts[0]!;
    return typeof only === 'string' ? () => only : only;
  }
  return (req) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(req);
    return out;
  };
}

/**
 * Names refused as a variable or as the `<name>` of `$http_`, `$cookie_`, `$arg_`: every member of
 * `Object.prototype` (`__proto__`, `constructor`, `hasOwnProperty`, ...) and `prototype`, compared
 * lower-cased. These are exactly the names where a JavaScript object lookup and nginx's hash table
 * part ways; lookups here read own properties only, but a key naming one is a typo or a probe, and
 * RequestInfo objects built by other code (user `forward` calls) may still have a prototype.
 */
export const REFUSED_KEY_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype'].map((n) => n.toLowerCase()));

function variable(name: string, path: string): (req: RequestInfo) => string {
  const lower = name.toLowerCase();
  const family = /^(http|cookie|arg)_(.+)$/.exec(lower);
  const bare = family === null ? lower : family[2]!;
  if (REFUSED_KEY_NAMES.has(bare)) {
    fail(path, `uses $${name}, which is refused: "${bare}" names a JavaScript Object.prototype member, not a request value`);
  }
  if (Object.hasOwn(FIXED, lower)) return FIXED[lower]!;
  if (lower.startsWith('http_') && lower.length > 5) {
    const header = lower.slice(5).replaceAll('_', '-');
    return (req) => headerValue(ownValue(req.headers, header), header);
  }
  if (lower.startsWith('cookie_') && lower.length > 7) {
    const cookie = lower.slice(7);
    return (req) => cookieValue(headerValue(ownValue(req.headers, 'cookie'), 'cookie'), cookie);
  }
  if (lower.startsWith('arg_') && lower.length > 4) {
    const arg = lower.slice(4);
    return (req) => argValue(argsOf(req.url), arg);
  }
  return fail(path, `uses the unknown variable $${name} (known: ${HASH_KEY_VARIABLES.join(', ')})`);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function argsOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

function unmapIPv4(ip: string): string {
  return ip.length > 7 && ip.slice(0, 7).toLowerCase() === '::ffff:' && ip.includes('.') ? ip.slice(7) : ip;
}

/** A header's value read as an own property only: `req.headers` may have Object's prototype. */
function ownValue(headers: RequestInfo['headers'], name: string): unknown {
  return typeof headers === 'object' && headers !== null && Object.hasOwn(headers, name) ? (headers as Record<string, unknown>)[name] : undefined;
}

function hostOf(req: RequestInfo): string {
  const host = ownValue(req.headers, 'host');
  if (typeof host !== 'string') return '';
  const lower = host.toLowerCase();
  // Keep an IPv6 literal's brackets, drop a trailing port.
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    return end === -1 ? lower : lower.slice(0, end + 1);
  }
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

function headerValue(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  // nginx >= 1.23 joins repeated headers with ', ' (and cookies with '; ').
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(name === 'cookie' ? '; ' : ', ');
  return '';
}

function cookieValue(header: string, name: string): string {
  if (header === '') return '';
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim().toLowerCase() === name) return pair.slice(eq + 1).trim();
  }
  return '';
}

function argValue(args: string, name: string): string {
  if (args === '') return '';
  for (const pair of args.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key.toLowerCase() === name) return eq === -1 ? '' : pair.slice(eq + 1);
  }
  return '';
}
