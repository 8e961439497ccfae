/** @module The response-side directives (error_page, proxy_intercept_errors, proxy_hide_header, add_header, expires), read per level like the proxy_* ones. */
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';
import type { Position } from './tokenizer.js';
import type { ExpiresOption } from '../added-headers/added-header-types.js';
import { addHeaderValueError, parseExpires } from '../added-headers/resolve-added-headers.js';

/** One `error_page CODE... [=[RESPONSE]] URI`. */
export interface ErrorPageRule extends Position {
  readonly codes: readonly number[];
  /** `=CODE`: answer this status instead; `'='` alone: the status of the page's own answer (taken as the original). */
  readonly override: number | '=' | undefined;
  readonly uri: string;
}

/** One `add_header NAME VALUE [always]`. */
export interface AddedHeader {
  readonly name: string;
  readonly value: string;
  readonly always: boolean;
}

/**
 * Response settings of one level. Lists inherit as a whole, as in nginx: a level with one
 * `error_page` (or `add_header`, `proxy_hide_header`) of its own drops all of its parent's.
 */
export interface ResponseSettings {
  interceptErrors?: boolean;
  errorPages?: ErrorPageRule[];
  hideHeaders?: string[];
  addHeaders?: AddedHeader[];
  /** `expires` of the level (`'off'` written or not), inherited when unset. */
  expires?: ExpiresOption;
  /** The level's own `expires` line (nginx refuses a second one at one level). */
  expiresAt?: Position;
  /** `root` of the level, to find static error pages (the directive itself still warns: switchyard serves no files). */
  root?: string;
}

export const RESPONSE_DIRECTIVES: ReadonlySet<string> = new Set(['error_page', 'proxy_intercept_errors', 'proxy_hide_header', 'add_header', 'expires']);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function hasVariable(value: string): boolean {
  return /\$(?:\{?[A-Za-z_0-9])/.test(value);
}

/** Apply one response directive to `level`; returns false for any other directive. Records `root` without claiming it. */
export function readResponseDirective(d: Directive, level: ResponseSettings, notes: ImportNotes): boolean {
  if (d.name === 'root') {
    const dir = d.args[0];
    if (dir !== undefined && d.args.length === 1 && !hasVariable(dir.value)) level.root = dir.value;
    return false;
  }
  if (!RESPONSE_DIRECTIVES.has(d.name)) return false;
  if (d.block) fail(d, `"${d.name}" cannot have a block`);
  switch (d.name) {
    case 'proxy_intercept_errors': {
      const v = d.args[0];
      if (v === undefined || d.args.length !== 1 || (v.value !== 'on' && v.value !== 'off')) {
        fail(v ?? d, `invalid value in "proxy_intercept_errors" directive, it must be "on" or "off"`);
      }
      if (level.interceptErrors !== undefined) fail(d, '"proxy_intercept_errors" directive is duplicate');
      level.interceptErrors = v.value === 'on';
      return true;
    }
    case 'error_page':
      readErrorPage(d, level, notes);
      return true;
    case 'proxy_hide_header': {
      const name = d.args[0];
      if (name === undefined || d.args.length !== 1) fail(d, 'invalid number of arguments in "proxy_hide_header" directive');
      (level.hideHeaders ??= []).push(name.value.toLowerCase());
      return true;
    }
    case 'expires':
      readExpires(d, level, notes);
      return true;
    default: {
      const [name, value, flag, extra] = d.args;
      if (name === undefined || value === undefined || extra !== undefined || (flag !== undefined && flag.value !== 'always')) {
        fail(d, 'invalid number of arguments in "add_header" directive');
      }
      if (!HEADER_NAME.test(name.value)) fail(name, `invalid header name "${name.value}" in "add_header" directive`);
      const list = (level.addHeaders ??= []);
      const refused = addHeaderValueError(name.value, value.value);
      if (refused !== undefined) {
        notes.ignored(d, `add_header ${name.value}`, refused);
        return true;
      }
      // nginx adds nothing for an empty value; a level with only such lines still drops its parent's.
      if (value.value !== '') list.push({ name: name.value.toLowerCase(), value: value.value, always: flag !== undefined });
      return true;
    }
  }
}

/** `expires [modified] time | epoch | max | off` (ngx_http_headers_expires). */
function readExpires(d: Directive, level: ResponseSettings, notes: ImportNotes): void {
  if (level.expiresAt !== undefined) fail(d, '"expires" directive is duplicate');
  const args = d.args;
  if (args.length < 1 || args.length > 2) fail(d, 'invalid number of arguments in "expires" directive');
  const modified = args.length === 2;
  if (modified && args[0]!.value !== 'modified') fail(args[0]!, 'invalid value');
  const word = args[args.length - 1]!;
  level.expiresAt = { line: d.line, column: d.column, ...(d.file !== undefined ? { file: d.file } : {}) };
  if (hasVariable(word.value)) {
    notes.ignored(d, 'expires', `nginx variables are not expanded: ${word.value}`);
    return;
  }
  if (word.value.startsWith('@')) {
    notes.ignored(d, `expires ${word.value}`, 'a time of day is not supported: no Expires or Cache-Control is added here');
    level.expires = 'off';
    return;
  }
  const option: ExpiresOption = modified ? { modified: word.value } : word.value;
  try {
    parseExpires(option, 'expires');
  } catch {
    fail(word, `invalid value "${word.value}" in "expires" directive`);
  }
  level.expires = option;
}

function readErrorPage(d: Directive, level: ResponseSettings, notes: ImportNotes): void {
  const args = d.args;
  if (args.length < 2) fail(d, 'invalid number of arguments in "error_page" directive');
  const uriWord = args[args.length - 1]!;
  let override: ErrorPageRule['override'];
  const codes: number[] = [];
  for (const a of args.slice(0, -1)) {
    if (a.value.startsWith('=')) {
      if (override !== undefined) fail(a, `invalid value "${a.value}"`);
      const rest = a.value.slice(1);
      if (rest === '') override = '=';
      else if (/^\d+$/.test(rest)) override = Number(rest);
      else fail(a, `invalid value "${a.value}"`);
      continue;
    }
    if (override !== undefined) fail(a, `invalid value "${a.value}": the "=" response must come after the codes`);
    if (!/^\d+$/.test(a.value)) fail(a, `invalid value "${a.value}"`);
    const code = Number(a.value);
    if (code < 300 || code > 599) fail(a, `value "${a.value}" must be between 300 and 599`);
    codes.push(code);
  }
  if (codes.length === 0) fail(d, 'invalid number of arguments in "error_page" directive');
  if (override === '=') notes.warn(d, `"error_page ... = ${uriWord.value}": the page's own status is not known to switchyard; the original status is answered`);
  (level.errorPages ??= []).push({ codes, override, uri: uriWord.value, line: d.line, column: d.column });
}
