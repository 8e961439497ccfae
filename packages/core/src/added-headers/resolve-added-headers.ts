/** @module Validation of `addHeaders` / `expires` (a location's, a server's, the top level's) and nginx's inheritance: a level with its own list drops the outer one. */
import { checkKeys, describe, expectObject, fail } from '../config/describe.js';
import { checkHeader } from '../config/header-check.js';
import { HOP_BY_HOP_HEADERS } from '../http/hop-by-hop.js';
import { compileHeaderValue, HeaderValueError, KNOWN_VARIABLES } from '../http/header-variables.js';
import type { CompiledAddHeader, ResolvedExpires, ResponseHeaderPlan } from './added-header-types.js';

/** The option names this module reads, on locations, servers and the top level. */
export const ADDED_HEADER_KEYS = ['addHeaders', 'expires'] as const;

/**
 * Variables a response header cannot have: the connection's (`$scheme`, ports: the hook context
 * of a proxied response does not carry them) and the proxied request's (`$proxy_*`).
 */
const UNAVAILABLE = new Set(['scheme', 'https', 'remote_port', 'server_port', 'proxy_host', 'proxy_port', 'proxy_add_x_forwarded_for', 'binary_remote_addr']);
const AVAILABLE = KNOWN_VARIABLES.filter((v) => !UNAVAILABLE.has(v));

/** Framing and per-connection headers: Node writes them for the body it sends, a second copy would break the answer. */
const REFUSED: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'content-length']);

/** nginx's ngx_parse_time units for `expires` (seconds; `ms` is refused there). */
const UNIT_S: Readonly<Record<string, number>> = { y: 31_536_000, M: 2_592_000, w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 };
const UNIT_ORDER = ['y', 'M', 'w', 'd', 'h', 'm', 's'];
/** Past 2^31 seconds (68 years) a date is beyond what clients parse reliably; nginx's own `max` is 10 years. */
const MAX_SECONDS = 2 ** 31 - 1;

/**
 * The plan of one level: its own `addHeaders` (replacing `outer`'s list as a whole, as nginx) and
 * `expires` (over `outer`'s; `'off'` clears it). `undefined` when nothing is added (the fast path).
 */
export function resolveAddedHeaders(options: Record<string, unknown>, path: string, outer: ResponseHeaderPlan | undefined): ResponseHeaderPlan | undefined {
  const at = (key: string): string => (path === '' ? key : `${path}.${key}`);
  const add = options.addHeaders === undefined ? (outer?.add ?? []) : compileList(options.addHeaders, at('addHeaders'));
  const expires = options.expires === undefined ? outer?.expires : parseExpires(options.expires, at('expires'));
  if (add.length === 0 && expires === undefined) return undefined;
  if (outer !== undefined && add === outer.add && expires === outer.expires) return outer;
  return Object.freeze({ add, expires });
}

function compileList(input: unknown, path: string): readonly CompiledAddHeader[] {
  if (!Array.isArray(input)) fail(path, `must be an array of { name, value, always? }, got ${describe(input)}`);
  return Object.freeze(
    input.map((entry: unknown, i): CompiledAddHeader => {
      const at = `${path}[${i}]`;
      const obj = expectObject(entry, at, 'an object { name, value, always? }');
      checkKeys(obj, ['name', 'value', 'always'], at);
      const { name, value, always } = obj;
      if (typeof name !== 'string' || name === '') fail(`${at}.name`, `must be a header name, got ${describe(name)}`);
      if (typeof value !== 'string') fail(`${at}.value`, `must be a string, got ${describe(value)}`);
      if (always !== undefined && typeof always !== 'boolean') fail(`${at}.always`, `must be a boolean, got ${describe(always)}`);
      checkHeader(name, value, `${at}.name`);
      const lower = name.toLowerCase();
      if (REFUSED.has(lower)) fail(`${at}.name`, `is a hop-by-hop/framing header (${lower}) that Node writes for the body it sends: it cannot be added`);
      return Object.freeze({ name: lower, value: compileValue(value, `${at}.value`), always: always === true });
    }),
  );
}

/** Why switchyard cannot add `value` (a variable it has not for a response header), or `undefined` (the nginx import warns with it). */
export function addHeaderValueError(name: string, value: string): string | undefined {
  try {
    compileValue(value, name);
    return undefined;
  } catch (err) {
    return (err as Error).message.slice(name.length + 1);
  }
}

function compileValue(value: string, path: string): CompiledAddHeader['value'] {
  for (const m of value.matchAll(/\$\{?([A-Za-z0-9_]+)/g)) {
    const name = (m[1] as string).toLowerCase();
    if (UNAVAILABLE.has(name)) {
      fail(
        path,
        `uses the nginx variable "$${m[1]}", which switchyard does not have for a response header (known: ${AVAILABLE.map((v) => `$${v}`).join(', ')})`,
      );
    }
  }
  try {
    return compileHeaderValue(value);
  } catch (err) {
    if (err instanceof HeaderValueError) fail(path, err.message.replace(/\(known: [^)]*\)/, `(known: ${AVAILABLE.map((v) => `$${v}`).join(', ')})`));
    throw err;
  }
}

/** `expires`: `'max' | 'epoch' | 'off' | '[+|-]TIME' | { modified: '[+|-]TIME' }`; `undefined` for `'off'`. */
export function parseExpires(input: unknown, path: string): ResolvedExpires | undefined {
  if (input === 'off') return undefined;
  if (input === 'max') return MAX;
  if (input === 'epoch') return EPOCH;
  if (typeof input === 'string') return Object.freeze({ kind: 'access', seconds: parseTime(input, path) });
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const obj = input as Record<string, unknown>;
    checkKeys(obj, ['modified'], path);
    if (typeof obj.modified !== 'string') fail(`${path}.modified`, `must be a time like '1h' or '-30m', got ${describe(obj.modified)}`);
    return Object.freeze({ kind: 'modified', seconds: parseTime(obj.modified, `${path}.modified`) });
  }
  return fail(path, `must be 'max', 'epoch', 'off', a time like '1d', '30m' or '-1h', or { modified: '1h' }, got ${describe(input)}`);
}

const MAX: ResolvedExpires = Object.freeze({ kind: 'max' });
const EPOCH: ResolvedExpires = Object.freeze({ kind: 'epoch' });

/** nginx's ngx_parse_time(value, 1) with `expires`' sign: units in decreasing order, a bare number is seconds. */
function parseTime(text: string, path: string): number {
  const bad = (why: string): never =>
    fail(path, `must be 'max', 'epoch', 'off' or a time in nginx's units y M w d h m s ('1d', '1h30m', '-1h')${why}, got ${describe(text)}`);
  let rest = text.trim();
  if (rest.startsWith('@')) bad(': a time of day (@15h30m) is not supported');
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '') bad('');
  if (/^\d+$/.test(rest)) return check(sign * Number(rest), bad);
  let total = 0;
  let rank = -1;
  const token = /(\d+)([yMwdhms])\s*/y;
  while (token.lastIndex < rest.length) {
    const m = token.exec(rest);
    if (m === null) bad('');
    const r = UNIT_ORDER.indexOf(m![2] as string);
    if (r <= rank) bad(': units go from the largest to the smallest, each once');
    if (m![2] === 'm' && rest[token.lastIndex] === 's') bad(': milliseconds are not allowed');
    rank = r;
    total += Number(m![1]) * (UNIT_S[m![2] as string] as number);
  }
  return check(sign * total, bad);
}

function check(seconds: number, bad: (why: string) => never): number {
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > MAX_SECONDS) bad(': at most 68 years');
  return seconds;
}
