/** @module nginx `error_page` (+ `proxy_intercept_errors`) turned into a location's onError / interceptErrors. */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { ErrorAnswer, ErrorHookContext } from '../hooks/hook-types.js';
import type { LocationKind, LocationOptions } from '../types.js';
import type { ImportNotes } from './notes.js';
import type { ProxySettings } from './proxy-settings.js';
import type { ErrorPageRule } from './response-directives.js';
import type { Directive } from './syntax-tree.js';

/** A location of the server block an error page URI is looked up in (nginx redirects internally to it). */
export interface PageLocation {
  readonly kind: LocationKind | 'named';
  readonly pattern: string;
  /** Proxied locations cannot serve an error page for switchyard (it would need a request of its own). */
  readonly proxied: boolean;
  readonly block: readonly Directive[];
  /** The settings of the level the location is written in (its `root` is inherited). */
  readonly inherited: ProxySettings;
}

export interface PageScope {
  /** The locations of the same server block, in config order. */
  readonly locations: readonly PageLocation[];
  /** The server level's settings (its `root` serves a URI no location matches). */
  readonly server: ProxySettings;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** An error page as read at import time; `status` only when the page itself decides it (a redirect). */
interface Page {
  readonly status?: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

type Hooks = Pick<LocationOptions, 'onError' | 'interceptErrors'>;

/**
 * The hook options of one proxied location: its (inherited) error pages become an `onError` that
 * answers those statuses with the page, read now (a static file, a `return CODE "text"`, or a
 * redirect to a URL); with `proxy_intercept_errors on` the same statuses become `interceptErrors`.
 * (`add_header` and `expires` are the location's `addHeaders` / `expires`.) What cannot be
 * reproduced is a warning naming the line.
 */
export function responseHookOptions(settings: ProxySettings, scope: PageScope, notes: ImportNotes): Hooks {
  const out: Hooks = {};
  const pages = new Map<number, ErrorAnswer>();
  for (const rule of settings.errorPages ?? []) {
    const page = readPage(rule, scope, notes);
    if (page === undefined) continue;
    for (const code of rule.codes) {
      if (pages.has(code)) continue; // nginx takes the first error_page for a code
      const status = page.status ?? (typeof rule.override === 'number' ? rule.override : code);
      pages.set(code, Object.freeze({ headers: page.headers, body: page.body, status }));
    }
  }
  if (pages.size > 0) {
    out.onError = function nginxErrorPage(ctx: ErrorHookContext): ErrorAnswer | undefined {
      const page = pages.get(ctx.status);
      return page === undefined ? undefined : { status: page.status, headers: { ...page.headers }, body: page.body };
    };
    if (settings.interceptErrors === true) out.interceptErrors = [...pages.keys()];
  }
  // proxy_hide_header is the location's `hideHeaders` (parse-nginx-config), applied before any hook.
  return out;
}

/** The answer for one error_page's URI, or `undefined` (with a warning) when switchyard cannot make it. */
function readPage(rule: ErrorPageRule, scope: PageScope, notes: ImportNotes): Page | undefined {
  const what = `error_page ${rule.codes.join(' ')} ${rule.uri}`;
  const uri = rule.uri;
  if (/^https?:\/\//i.test(uri)) {
    if (uri.includes('$')) return ignored(notes, rule, what, 'nginx variables are not expanded');
    // nginx answers a URL error page with a redirect: 302 unless `=CODE` names another redirect status.
    const status = typeof rule.override === 'number' && REDIRECT_CODES.has(rule.override) ? rule.override : 302;
    return { status, headers: { location: uri }, body: '' };
  }
  if (uri.startsWith('@'))
    return ignored(notes, rule, what, 'switchyard does not answer an error page from a named location: the error is answered as without this error_page');
  if (uri.includes('$')) return ignored(notes, rule, what, 'nginx variables are not expanded');
  if (!uri.startsWith('/')) return ignored(notes, rule, what, 'the page must be a path or a URL');
  const path = uri.split('?')[0] as string;
  const target = matchLocation(scope.locations, path);
  if (target?.proxied) return ignored(notes, rule, what, `${path} is proxied; switchyard answers error pages from a file or a "return" only`);
  let root = scope.server.root;
  if (target !== undefined) {
    const answer = target.block.find((c) => c.name === 'return');
    if (answer !== undefined) return returnPage(answer, rule, what, notes);
    root = own(target.block, 'root') ?? target.inherited.root;
    const alias = own(target.block, 'alias');
    if (alias !== undefined) {
      const rest = target.kind === 'exact' ? '' : path.slice(target.pattern.length);
      return filePage(alias + rest, rule, what, notes);
    }
  }
  if (root === undefined) return ignored(notes, rule, what, `no "root" says where ${path} is`);
  return filePage(root.replace(/\/$/, '') + path, rule, what, notes);
}

function own(block: readonly Directive[], name: string): string | undefined {
  const d = block.find((c) => c.name === name);
  const v = d?.args[0]?.value;
  return v === undefined || v.includes('$') ? undefined : v;
}

/** `return CODE "text"` / `return CODE URL` / `return CODE`: the page's body (the status stays the error's, as nginx's err_status). */
function returnPage(d: Directive, rule: ErrorPageRule, what: string, notes: ImportNotes): Page | undefined {
  const [codeWord, textWord] = d.args;
  const code = Number(codeWord?.value);
  const text = textWord?.value ?? '';
  if (text.includes('$')) return ignored(notes, rule, what, `the "return" on line ${d.line} uses nginx variables`);
  if (REDIRECT_CODES.has(code) || codeWord === undefined || !/^\d+$/.test(codeWord.value)) {
    return ignored(notes, rule, what, `the "return" on line ${d.line} redirects, which switchyard does not follow`);
  }
  return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

function filePage(file: string, rule: ErrorPageRule, what: string, notes: ImportNotes): Page | undefined {
  const full = resolve(file);
  try {
    const body = readFileSync(full);
    return { headers: { 'content-type': CONTENT_TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream' }, body };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return ignored(notes, rule, what, `file ${full} cannot be read at import time: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}`);
  }
}

function ignored(notes: ImportNotes, at: ErrorPageRule, what: string, reason: string): undefined {
  notes.ignored(at, what, reason);
  return undefined;
}

/** nginx's location search for the page URI: exact, longest prefix (`^~` stops), regexes in order, else the longest prefix. */
function matchLocation(locations: readonly PageLocation[], path: string): PageLocation | undefined {
  const exact = locations.find((l) => l.kind === 'exact' && l.pattern === path);
  if (exact !== undefined) return exact;
  let longest: PageLocation | undefined;
  for (const l of locations) {
    if (
      (l.kind === 'prefix' || l.kind === 'prefix-priority') &&
      path.startsWith(l.pattern) &&
      (longest === undefined || l.pattern.length > longest.pattern.length)
    )
      longest = l;
  }
  if (longest?.kind !== 'prefix-priority') {
    for (const l of locations) {
      if ((l.kind === 'regex' || l.kind === 'regex-i') && new RegExp(l.pattern, l.kind === 'regex-i' ? 'i' : '').test(path)) return l;
    }
  }
  return longest;
}
