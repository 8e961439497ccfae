/** @module The nginx import of what a location answers itself: `root`, `alias`, `index`, `try_files` and the rewrite module (`rewrite`, `return`, `set`, `break`, `if`), as switchyard's `rewrite` steps and file options. */
import type { ReturnOptions, RewriteStep } from '../types.js';
import { compileSafeRegex } from '../routing/regex-safety.js';
import { compileTemplate, TemplateError } from '../rewrite/template.js';
import { fail } from './notes.js';
import type { Directive } from './syntax-tree.js';
import type { Position } from './tokenizer.js';

/** root/index/try_files in effect at a level (http, server, location), as nginx inherits them. */
export interface FileLevel {
  readonly root?: string;
  readonly index?: readonly string[];
  readonly tryFiles?: readonly string[];
  /** Makes a relative `root`/`alias` absolute (nginx: against its prefix); given by the importer to every level. */
  readonly resolvePath?: (at: Directive, value: string) => string;
}

/** What a location block says about answering itself. */
export interface ImportedContent {
  /** The rewrite module's directives in order, as switchyard steps. */
  readonly steps: RewriteStep[];
  alias?: string;
  /** Own root/index/try_files over the inherited ones. */
  files: FileLevel;
  /** Own root/alias/index/try_files given (else only inherited). */
  ownFiles: boolean;
  /** The first file test (`-f`) or `$request_filename` use: the location needs its root even when it proxies. */
  usesFiles: boolean;
}

const REWRITE_MODULE = new Set(['rewrite', 'return', 'set', 'break', 'if']);
const FILE_DIRECTIVES = new Set(['root', 'alias', 'index', 'try_files']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const FLAGS = new Set(['last', 'break', 'redirect', 'permanent']);

/** A directive of this family. */
export function isContentDirective(name: string): boolean {
  return REWRITE_MODULE.has(name) || FILE_DIRECTIVES.has(name);
}

/** Whether a block level has rewrite-module directives other than a lone `return` (a server level then runs them in order). */
export function hasRewriteSteps(block: readonly Directive[]): boolean {
  return block.some((d) => d.name === 'rewrite' || d.name === 'if' || d.name === 'set' || d.name === 'break');
}

/** Every `set $name` and named capture of a file (nginx declares a variable wherever `set` names it). */
export function collectSetNames(tree: readonly Directive[], out = new Set<string>()): Set<string> {
  for (const d of tree) {
    if (d.name === 'set' && d.args[0] !== undefined) out.add(d.args[0].value.replace(/^\$/, ''));
    // Named captures of a regex location, a rewrite or an if (`(?<name>...)`) are variables too.
    if (d.name === 'location' || d.name === 'rewrite' || d.name === 'if') {
      for (const a of d.args) for (const m of a.value.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)) out.add(m[1] as string);
    }
    if (d.block) collectSetNames(d.block, out);
  }
  return out;
}

function checkValue(at: Position, text: string, names: ReadonlySet<string>, what: string): void {
  try {
    compileTemplate(text, names);
  } catch (err) {
    if (err instanceof TemplateError)
      fail(
        at,
        `${err.message} in "${what}" (switchyard knows $uri, $request_uri, $args, $host, $scheme, $http_*, $cookie_*, $arg_*, $remote_addr, $request_filename, captures and set variables)`,
      );
    throw err;
  }
}

function checkRegex(at: Position, source: string, ignoreCase: boolean): void {
  const compiled = compileSafeRegex(source, ignoreCase);
  if ('invalid' in compiled) fail(at, `regex "${source}" is not valid in JavaScript: ${compiled.invalid}`);
  if ('unsafe' in compiled) fail(at, `regex "${source}" can take exponential time on a crafted path (JavaScript has no PCRE match limit): ${compiled.unsafe}`);
}

/**
 * nginx `return code [text|URL]` / `return URL` (302), its text checked by `check` (the rewrite
 * module's variables in a location; a server-level `return` knows fewer, see server-block.ts).
 */
export function readReturnWith(d: Directive, check: (at: Position, text: string) => void): ReturnOptions {
  const [first, second] = d.args;
  if (first === undefined || d.args.length > 2) fail(d, 'invalid number of arguments in "return" directive');
  let status: number;
  let text: string | undefined;
  if (/^\d+$/.test(first.value)) {
    status = Number(first.value);
    if (status > 999) fail(first, `invalid return code "${first.value}"`);
    text = second?.value;
  } else {
    if (second !== undefined) fail(second, `invalid return code "${first.value}"`);
    status = 302;
    text = first.value;
  }
  if (status === 444) {
    // nginx sends a response (with status 444) when a text is given; switchyard only closes.
    if (text !== undefined) fail(d.args[1] ?? d, '"return 444" with a text is not supported: "return 444;" closes the connection without an answer');
    return { status };
  }
  if (status < 200 || status > 599) fail(first, `"return ${status}" is not supported: switchyard answers a status from 200 to 599`);
  if (text !== undefined) check(d.args[d.args.length - 1] ?? d, text);
  if (REDIRECTS.has(status)) {
    if (text === undefined) fail(d, `"return ${status}" needs the URL to redirect to`);
    return { status, url: text };
  }
  return text === undefined ? { status } : { status, body: text };
}

/** nginx `return` as a rewrite step (the rewrite module's variables and `set` names). */
export function readReturnStep(d: Directive, names: ReadonlySet<string>): ReturnOptions {
  return readReturnWith(d, (at, text) => checkValue(at, text, names, 'return'));
}

/** nginx `if (...)`'s arguments as switchyard's condition text. */
function condition(d: Directive, names: ReadonlySet<string>): string {
  const words = d.args.map((a) => a.value);
  if (words.length === 0 || !words[0]!.startsWith('(')) fail(d, 'invalid condition in "if": expecting "("');
  words[0] = words[0]!.slice(1);
  const lastIndex = words.length - 1;
  if (!words[lastIndex]!.endsWith(')')) fail(d, 'invalid condition in "if": expecting ")"');
  words[lastIndex] = words[lastIndex]!.slice(0, -1);
  const parts = words.filter((w, i) => w !== '' || (d.args[i]?.quoted ?? false));
  if (parts.length === 2 && /^!?-[fdex]$/.test(parts[0]!)) {
    if (parts[0]!.endsWith('x')) fail(d, `"if (${parts[0]} ...)" is not supported: switchyard tests -f, -d and -e`);
    checkValue(d, parts[1]!, names, 'if');
    return `${parts[0]} ${parts[1]}`;
  }
  const [value, op, other] = parts;
  if (value === undefined || !value.startsWith('$') || parts.length === 2 || parts.length > 3) {
    fail(
      d,
      `condition "(${words.join(' ').trim()})" in "if" is not supported: switchyard reads $variable, $variable = text, != , ~, ~*, !~, !~*, and -f/-d/-e PATH`,
    );
  }
  checkValue(d, value, names, 'if');
  if (op === undefined) return value;
  if (!['=', '!=', '~', '~*', '!~', '!~*'].includes(op)) fail(d, `invalid operator "${op}" in "if"`);
  const text = other ?? '';
  if (op.includes('~')) checkRegex(d, text, op.endsWith('*'));
  else checkValue(d, text, names, 'if');
  return `${value} ${op} ${text === '' ? '""' : text}`;
}

/** One rewrite-module directive as a step (`inIf`: inside an `if`, where only these are allowed). */
export function readStep(d: Directive, names: ReadonlySet<string>, inIf: boolean): RewriteStep {
  switch (d.name) {
    case 'rewrite': {
      const [re, to, flag] = d.args;
      if (re === undefined || to === undefined || d.args.length > 3) fail(d, 'invalid number of arguments in "rewrite" directive');
      checkRegex(re, re.value, false);
      checkValue(to, to.value, names, 'rewrite');
      if (flag !== undefined && !FLAGS.has(flag.value)) fail(flag, `invalid parameter "${flag.value}"`);
      const step: RewriteStep = { rewrite: re.value, to: to.value };
      if (flag !== undefined) step.flag = flag.value as 'last' | 'break' | 'redirect' | 'permanent';
      return step;
    }
    case 'return':
      return { return: readReturnStep(d, names) };
    case 'set': {
      const [name, value] = d.args;
      if (name === undefined || value === undefined || d.args.length !== 2) fail(d, 'invalid number of arguments in "set" directive');
      if (!/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(name.value)) fail(name, `invalid variable name "${name.value}"`);
      checkValue(value, value.value, names, 'set');
      return { set: name.value.slice(1), value: value.value };
    }
    case 'break':
      if (d.args.length !== 0) fail(d, 'invalid number of arguments in "break" directive');
      return { break: true };
    case 'if': {
      if (inIf) fail(d, '"if" inside "if" is not supported');
      if (!d.block) fail(d, '"if" needs a { ... } block');
      const then: RewriteStep[] = [];
      for (const c of d.block) {
        if (!REWRITE_MODULE.has(c.name)) {
          fail(
            c,
            `"${c.name}" inside "if" is not supported: switchyard evaluates only rewrite, return, set and break there (nginx's "if is evil"; move the directive out of the if)`,
          );
        }
        then.push(readStep(c, names, true));
      }
      return { if: condition(d, names), then };
    }
  }
  return fail(d, `"${d.name}" is not a rewrite module directive`);
}

/** A root, alias or index/try_files directive of a level. */
export function readFileDirective(
  d: Directive,
  level: { root?: string; alias?: string; index?: string[]; tryFiles?: string[] },
  names: ReadonlySet<string>,
  resolvePath: (at: Directive, value: string) => string = (_, value) => value,
): void {
  switch (d.name) {
    case 'root':
    case 'alias': {
      const v = d.args[0];
      if (v === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
      if (level.root !== undefined || level.alias !== undefined)
        fail(
          d,
          `"${d.name}" directive is duplicate${level.alias !== undefined ? ', "alias" directive was specified earlier' : level.root !== undefined && d.name === 'alias' ? ', "root" directive was specified earlier' : ''}`,
        );
      checkValue(v, v.value, names, d.name);
      const path = resolvePath(d, v.value);
      if (d.name === 'root') level.root = path;
      else level.alias = path;
      return;
    }
    case 'index':
      if (d.args.length === 0) fail(d, 'invalid number of arguments in "index" directive');
      level.index = [...(level.index ?? []), ...d.args.map((a) => a.value)];
      for (const a of d.args) {
        if (a.value.includes('$')) fail(a, `"index ${a.value}": variables in index are not supported`);
        if (a.value.startsWith('/')) fail(a, `"index ${a.value}": an index given as an absolute URI is not supported (give a file name)`);
      }
      return;
    case 'try_files':
      if (d.args.length < 2) fail(d, 'invalid number of arguments in "try_files" directive');
      if (level.tryFiles !== undefined) fail(d, '"try_files" directive is duplicate');
      for (const a of d.args) if (!a.value.startsWith('=') && !a.value.startsWith('@')) checkValue(a, a.value, names, 'try_files');
      level.tryFiles = d.args.map((a) => a.value);
  }
}
