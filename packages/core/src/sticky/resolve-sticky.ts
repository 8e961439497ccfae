/** @module Validation of `upstreams.<name>.sticky`: one of cookie, route or learn, with errors naming the exact field. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestInfo } from '../types.js';
import { checkKeys, describe, expectObject, fail, optionalBoolean } from '../config/describe.js';
import { optionalDuration, parseDuration } from '../config/duration.js';
import { compileHashKey } from '../config/hash-key.js';
import type { ResolvedSticky, ResolvedStickyCookie, ResponseVariable, StickySign } from './sticky-types.js';

/** nginx learn's default session timeout (10m). */
export const DEFAULT_STICKY_LEARN_TIMEOUT_MS = 600_000;
/** Default bound of the learn table. */
export const DEFAULT_STICKY_MAX_SESSIONS = 100_000;

const MODES = ['cookie', 'route', 'learn'] as const;
const COOKIE_KEYS = ['name', 'expires', 'domain', 'path', 'httpOnly', 'secure', 'sameSite'] as const;
const LEARN_KEYS = ['create', 'lookup', 'timeout', 'maxSessions'] as const;
const SAME_SITE = ['strict', 'lax', 'none'] as const;
/** RFC 6265 token: what a cookie name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A cookie attribute value: printable ASCII without `;` (it would start another attribute). */
const ATTRIBUTE = /^[\x21-\x3a\x3c-\x7e]+$/;

/** `upstreams.<name>.sticky`, or undefined when absent. */
export function resolveSticky(input: unknown, path: string): ResolvedSticky | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, path, "an object { cookie: { name } }, { route: ['$cookie_route'] } or { learn: { create, lookup } }");
  const modes = MODES.filter((m) => obj[m] !== undefined);
  if (modes.length !== 1) {
    // A misspelt mode (`cookies`) is named with its "did you mean" before the count is.
    if (modes.length === 0) checkKeys(obj, [...MODES, 'secret'], path);
    fail(path, `must have exactly one of cookie, route or learn, got ${modes.length === 0 ? 'none' : modes.join(' and ')}`);
  }
  const mode = modes[0]!;
  const strict = optionalBoolean(obj.strict, `${path}.strict`, false);
  if (mode === 'cookie') {
    checkKeys(obj, ['cookie', 'secret', 'sign', 'strict'], path);
    const cookie = resolveCookie(obj.cookie, `${path}.cookie`);
    const sign = resolveSign(obj.sign, `${path}.sign`);
    const secret = resolveSecret(obj.secret, `${path}.secret`, sign);
    if (obj.sign !== undefined && secret === undefined) fail(`${path}.sign`, 'needs a secret (sticky.secret) to sign with');
    return Object.freeze({ mode, cookie, secret, sign, strict, lookup: Object.freeze([requestCookie(cookie.name)]) });
  }
  if (mode === 'route') {
    checkKeys(obj, ['route', 'secret', 'strict'], path);
    const secret = resolveSecret(obj.secret, `${path}.secret`, 'md5');
    return Object.freeze({ mode, secret, strict, lookup: requestVariables(obj.route, `${path}.route`) });
  }
  checkKeys(obj, ['learn', 'strict'], path);
  const learnPath = `${path}.learn`;
  const learn = expectObject(obj.learn, learnPath, "an object { create: '$upstream_cookie_<name>', lookup: '$cookie_<name>', timeout?, maxSessions? }");
  checkKeys(learn, LEARN_KEYS, learnPath);
  if (learn.create === undefined) fail(`${learnPath}.create`, "is required (e.g. '$upstream_cookie_sessionid')");
  if (learn.lookup === undefined) fail(`${learnPath}.lookup`, "is required (e.g. '$cookie_sessionid')");
  const timeoutMs = optionalDuration(learn.timeout, `${learnPath}.timeout`, DEFAULT_STICKY_LEARN_TIMEOUT_MS);
  if (timeoutMs <= 0) fail(`${learnPath}.timeout`, `must be more than 0, got ${describe(learn.timeout)}`);
  const maxSessions = learn.maxSessions ?? DEFAULT_STICKY_MAX_SESSIONS;
  if (typeof maxSessions !== 'number' || !Number.isSafeInteger(maxSessions) || maxSessions < 1) {
    fail(`${learnPath}.maxSessions`, `must be a positive integer, got ${describe(learn.maxSessions)}`);
  }
  return Object.freeze({
    mode,
    strict,
    lookup: requestVariables(learn.lookup, `${learnPath}.lookup`),
    create: responseVariables(learn.create, `${learnPath}.create`),
    timeoutMs,
    maxSessions,
  });
}

const SIGNS = ['md5', 'hmac-sha256'] as const;
/** An HMAC key shorter than this is guessable offline from one cookie. */
const MIN_HMAC_SECRET = 16;

function resolveSign(input: unknown, path: string): StickySign {
  if (input === undefined) return 'md5';
  if (typeof input !== 'string' || !(SIGNS as readonly string[]).includes(input)) fail(path, `must be 'md5' or 'hmac-sha256', got ${describe(input)}`);
  return input as StickySign;
}

function resolveSecret(input: unknown, path: string, sign: StickySign): string | undefined {
  if (input === undefined) return undefined;
  const min = sign === 'hmac-sha256' ? MIN_HMAC_SECRET : 1;
  if (typeof input !== 'string' || input.length < min) {
    const got = typeof input === 'string' ? `${input.length} characters` : describe(input);
    fail(path, min > 1 ? `must be a string of at least ${min} characters with sign 'hmac-sha256', got ${got}` : `must be a non-empty string, got ${got}`);
  }
  return input;
}

function resolveCookie(input: unknown, path: string): ResolvedStickyCookie {
  const obj = expectObject(input, path, 'an object { name, expires?, domain?, path?, httpOnly?, secure?, sameSite? }');
  checkKeys(obj, COOKIE_KEYS, path);
  if (typeof obj.name !== 'string' || !TOKEN.test(obj.name))
    fail(`${path}.name`, `must be a cookie name (letters, digits, !#$%&'*+-.^_\`|~), got ${describe(obj.name)}`);
  let expires: number | 'max' | undefined;
  if (obj.expires === 'max') expires = 'max';
  else if (obj.expires !== undefined) expires = Math.floor(parseDuration(obj.expires, `${path}.expires`) / 1000);
  let sameSite: ResolvedStickyCookie['sameSite'];
  if (obj.sameSite !== undefined) {
    const value = typeof obj.sameSite === 'string' ? obj.sameSite.toLowerCase() : undefined;
    if (value === undefined || !(SAME_SITE as readonly string[]).includes(value)) {
      fail(`${path}.sameSite`, `must be 'strict', 'lax' or 'none', got ${describe(obj.sameSite)}`);
    }
    sameSite = value as ResolvedStickyCookie['sameSite'];
  }
  return Object.freeze({
    name: obj.name,
    expires,
    domain: attribute(obj.domain, `${path}.domain`),
    path: attribute(obj.path, `${path}.path`),
    httpOnly: optionalBoolean(obj.httpOnly, `${path}.httpOnly`, false),
    secure: optionalBoolean(obj.secure, `${path}.secure`, false),
    sameSite,
  });
}

function attribute(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ATTRIBUTE.test(value)) fail(path, `must be a non-empty string without spaces or ';', got ${describe(value)}`);
  return value;
}

function list(input: unknown, path: string): string[] {
  const items = Array.isArray(input) ? input : [input];
  if (items.length === 0) fail(path, 'must list at least one variable');
  return items.map((item: unknown, i) => {
    const at = Array.isArray(input) ? `${path}[${i}]` : path;
    if (typeof item !== 'string' || !item.startsWith('$')) fail(at, `must be an nginx variable such as '$cookie_route', got ${describe(item)}`);
    return item;
  });
}

function requestVariables(input: unknown, path: string): readonly ((req: RequestInfo) => string)[] {
  const items = list(input, path);
  return Object.freeze(items.map((item, i) => compileHashKey(item, Array.isArray(input) ? `${path}[${i}]` : path)));
}

function responseVariables(input: unknown, path: string): readonly ResponseVariable[] {
  const items = list(input, path);
  return Object.freeze(
    items.map((item, i) => {
      const at = Array.isArray(input) ? `${path}[${i}]` : path;
      const m = /^\$upstream_(cookie|http)_(\w+)$/i.exec(item);
      if (m === null) fail(at, `must be '$upstream_cookie_<name>' or '$upstream_http_<name>', got ${describe(item)}`);
      const name = m[2]!.toLowerCase();
      return m[1]!.toLowerCase() === 'cookie' ? upstreamCookie(name) : upstreamHeader(name.replaceAll('_', '-'));
    }),
  );
}

/** nginx `$cookie_<name>` for any cookie name (`compileHashKey` takes word characters only): first match, name case-insensitive. */
function requestCookie(name: string): (req: RequestInfo) => string {
  const lower = name.toLowerCase();
  return (req) => {
    const header = req.headers.cookie;
    if (header === undefined) return '';
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq).trim().toLowerCase() === lower) return pair.slice(eq + 1).trim();
    }
    return '';
  };
}

/** nginx `$upstream_cookie_<name>`: the value of that cookie in the upstream's Set-Cookie headers. */
function upstreamCookie(name: string): ResponseVariable {
  return (headers: IncomingHttpHeaders) => {
    const lines: unknown = headers['set-cookie'];
    if (lines === undefined) return '';
    // node:http gives an array; undici (Fastify's transport) a plain string for a single header.
    for (const line of typeof lines === 'string' ? [lines] : (lines as string[])) {
      const eq = line.indexOf('=');
      if (eq === -1 || line.slice(0, eq).trim().toLowerCase() !== name) continue;
      const end = line.indexOf(';', eq);
      return line.slice(eq + 1, end === -1 ? undefined : end).trim();
    }
    return '';
  };
}

function upstreamHeader(name: string): ResponseVariable {
  return (headers: IncomingHttpHeaders) => {
    const value = headers[name];
    if (value === undefined) return '';
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

/** nginx NGX_HTTP_UPSTREAM_SID_LEN: a route is at most 32 bytes. */
const MAX_ROUTE_LENGTH = 32;
/** A cookie value (RFC 6265 cookie-octet) without `.`, which separates the signature of a signed value. */
const ROUTE = /^[\x21\x23-\x2b\x2d\x2f-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/** `servers[i].route`: nginx `route=`, the server's sticky value. */
export function resolveServerRoute(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_ROUTE_LENGTH || !ROUTE.test(value)) {
    fail(path, `must be 1 to ${MAX_ROUTE_LENGTH} cookie-safe characters (no spaces, quotes, ',', ';', '.' or '\\\\'), got ${describe(value)}`);
  }
  return value;
}

/** Two servers of one upstream with the same `route` could not be told apart by a bound request. */
export function checkStickyRoutes(servers: readonly { readonly route?: string | undefined }[], path: string): void {
  const seen = new Map<string, number>();
  servers.forEach((server, i) => {
    if (server.route === undefined) return;
    const first = seen.get(server.route);
    if (first !== undefined) fail(`${path}[${i}].route`, `repeats the route ${JSON.stringify(server.route)} of ${path}[${first}]`);
    seen.set(server.route, i);
  });
}
