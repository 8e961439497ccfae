/** @module nginx `sticky cookie | route | learn` inside an upstream block (and Angie's `sticky_secret` / `sticky_strict`), read into `UpstreamOptions.sticky`. */
import { compileHashKey } from '../config/hash-key.js';
import { SwitchyardConfigError } from '../errors.js';
import type { StickyCookie, StickyOptions } from '../sticky/sticky-types.js';
import { nginxDuration } from './durations.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';
import type { WordToken } from './tokenizer.js';

/** nginx's own estimate for a learn zone: "1m ~ 8000 sessions". */
const SESSIONS_PER_MIB = 8000;
const SIZE_UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/** Read one `sticky` directive (nginx's ngx_http_upstream_sticky). */
export function readSticky(c: Directive, notes: ImportNotes): StickyOptions {
  const [mode, ...params] = c.args;
  if (mode === undefined || (mode.value !== 'route' && params.length === 0)) fail(c, 'invalid number of arguments in "sticky" directive');
  if (mode.value === 'cookie') return { cookie: readCookie(params) };
  if (mode.value === 'route') {
    if (params.length === 0) fail(c, 'invalid number of arguments in "sticky" directive');
    return { route: params.map((p) => variable(p, p.value)) };
  }
  if (mode.value === 'learn') return { learn: readLearn(c, params, notes) };
  return fail(mode, `unknown parameter "${mode.value}"`);
}

function readCookie(params: WordToken[]): StickyCookie {
  const [name, ...rest] = params as [WordToken, ...WordToken[]];
  if (name.value === '') fail(name, 'empty cookie name');
  const cookie: StickyCookie = { name: name.value };
  for (const p of rest) {
    const v = p.value;
    const once = (key: keyof StickyCookie): void => {
      if (cookie[key] !== undefined) fail(p, `parameter "${key.toLowerCase()}" is duplicate`);
    };
    if (v.startsWith('domain=')) {
      once('domain');
      cookie.domain = value(p, v.slice(7), 'domain');
    } else if (v.startsWith('path=')) {
      once('path');
      cookie.path = value(p, v.slice(5), 'path');
    } else if (v.startsWith('expires=')) {
      once('expires');
      const time = v.slice(8);
      if (time === 'max') cookie.expires = 'max';
      else {
        const d = nginxDuration(time);
        if (d === undefined) fail(p, 'invalid "expires" parameter value');
        cookie.expires = d;
      }
    } else if (v === 'httponly') {
      once('httpOnly');
      cookie.httpOnly = true;
    } else if (v === 'secure') {
      once('secure');
      cookie.secure = true;
    } else if (v.startsWith('samesite=')) {
      once('sameSite');
      const s = value(p, v.slice(9), 'samesite').toLowerCase();
      if (s !== 'strict' && s !== 'lax' && s !== 'none') fail(p, 'invalid "samesite" parameter value');
      cookie.sameSite = s;
    } else {
      fail(p, `unknown parameter "${v}"`);
    }
  }
  return cookie;
}

function readLearn(c: Directive, params: WordToken[], notes: ImportNotes): { create: string[]; lookup: string[]; timeout?: string; maxSessions?: number } {
  const create: string[] = [];
  const lookup: string[] = [];
  let timeout: string | undefined;
  let maxSessions: number | undefined;
  for (const p of params) {
    const v = p.value;
    if (v.startsWith('create=')) {
      if (v[7] !== '$') fail(p, 'missing variable in the "create" parameter');
      if (!/^\$upstream_(cookie|http)_\w+$/i.test(v.slice(7)))
        fail(p, `"create=${v.slice(7)}" is not supported: use $upstream_cookie_<name> or $upstream_http_<name>`);
      create.push(v.slice(7));
    } else if (v.startsWith('lookup=')) {
      if (v[7] !== '$') fail(p, 'missing variable in the "lookup" parameter');
      lookup.push(variable(p, v.slice(7)));
    } else if (v.startsWith('timeout=')) {
      if (timeout !== undefined) fail(p, 'duplicate timeout');
      const d = nginxDuration(v.slice(8));
      if (d === undefined || /^0+(ms|s|m|h|d)?$/.test(d)) fail(p, 'invalid timeout');
      timeout = d;
    } else if (v.startsWith('zone=')) {
      if (maxSessions !== undefined) fail(p, 'duplicate zone');
      const m = /^zone=([^:]+):(\d+)([kKmMgG]?)$/.exec(v);
      if (m === null) fail(p, 'invalid zone (zone=name:size)');
      const bytes = Number(m[2]) * (SIZE_UNIT[(m[3] as string).toLowerCase()] as number);
      maxSessions = Math.max(1, Math.floor((bytes / (1024 * 1024)) * SESSIONS_PER_MIB));
      notes.warn(p, `"${v}": sessions are kept in the process, at most ${maxSessions} (nginx's estimate of what the zone holds)`, 'harmless');
    } else if (v === 'header') {
      notes.warn(p, '"header" ignored (switchyard always learns the session when the response headers arrive)', 'harmless');
    } else if (v === 'sync') {
      notes.warn(p, '"sync" ignored (no zone synchronisation: sessions are per process)');
    } else {
      fail(p, `unknown parameter "${v}"`);
    }
  }
  if (lookup.length === 0) fail(c, '"lookup" parameter is not specified');
  if (create.length === 0) fail(c, '"create" parameter is not specified');
  if (maxSessions === undefined) fail(c, '"zone" parameter is not specified');
  return { create, lookup, ...(timeout !== undefined ? { timeout } : {}), maxSessions };
}

function value(p: WordToken, text: string, name: string): string {
  if (text === '') fail(p, `no value for "${name}"`);
  if (text.includes('$')) fail(p, `variables in "${name}" are not supported`);
  return text;
}

/** A request variable; compiled now so that an unknown one is reported with its line. */
function variable(p: WordToken, text: string): string {
  if (!text.startsWith('$')) fail(p, `invalid variable name "${text}"`);
  try {
    compileHashKey(text, 'sticky');
  } catch (err) {
    if (!(err instanceof SwitchyardConfigError)) throw err;
    fail(p, `invalid variable "${text}" in "sticky" directive: ${err.message.replace(/^sticky /, '')}`);
  }
  return text;
}

/**
 * Angie's `sticky_secret STRING;` and `sticky_strict on|off;` (ngx_http_upstream_sticky_module of
 * Angie): the secret salts the MD5 a cookie or route value carries, strict answers 502 rather than
 * rebalance a request whose server is unavailable. Each at most once; without `sticky` they do
 * nothing, as in Angie (a warning says so).
 */
export function readStickyExtras(directives: readonly Directive[], sticky: StickyOptions | undefined, notes: ImportNotes): StickyOptions | undefined {
  const seen = new Set<string>();
  let secret: string | undefined;
  let strict: boolean | undefined;
  for (const c of directives) {
    if (seen.has(c.name)) fail(c, `"${c.name}" directive is duplicate`);
    seen.add(c.name);
    const [arg] = c.args;
    if (arg === undefined || c.args.length !== 1) fail(c, `invalid number of arguments in "${c.name}" directive`);
    if (c.name === 'sticky_secret') {
      if (arg.value === '') fail(arg, 'empty "sticky_secret"');
      if (arg.value.includes('$')) fail(arg, 'variables in "sticky_secret" are not supported');
      secret = arg.value;
    } else {
      if (arg.value !== 'on' && arg.value !== 'off') fail(arg, `invalid value "${arg.value}" in "sticky_strict" directive, it must be "on" or "off"`);
      strict = arg.value === 'on';
    }
  }
  if (sticky === undefined) {
    for (const c of directives) notes.warn(c, `"${c.name}" ignored (no "sticky" in this upstream)`);
    return undefined;
  }
  const out: StickyOptions = { ...sticky };
  if (secret !== undefined) {
    if ('learn' in out)
      fail(
        directives.find((c) => c.name === 'sticky_secret') as Directive,
        '"sticky_secret" applies to "sticky cookie" and "sticky route", not "sticky learn"',
      );
    out.secret = secret;
  }
  if (strict === true) out.strict = true;
  return out;
}
