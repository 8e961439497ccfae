/** @module Validates `rewrite` steps, a location's `return` and its file options (`root`, `alias`, `index`, `tryFiles`), compiled once with errors naming the field. */
import { compileSafeRegex } from '../routing/regex-safety.js';
import { checkKeys, describe, fail, isPlainObject } from '../config/describe.js';
import type { CompiledProgram, Condition, LocationFiles, Step, Template, TryEntry, TryFallback } from './program-types.js';
import { compileTemplate, TemplateError } from './template.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const FLAGS = ['last', 'break', 'redirect', 'permanent'] as const;

/** The names of a regex's named captures (`(?<name>...)`, not the lookbehinds `(?<=` and `(?<!`). */
function groupNames(source: string, out: Set<string>): void {
  for (const m of source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)) out.add(m[1] as string);
}

/**
 * The `set` names and named captures of some step lists, at any depth (nginx declares a variable
 * wherever `set` names it, and a named capture is one too).
 */
export function setNames(lists: readonly unknown[], out = new Set<string>()): Set<string> {
  const walk = (steps: unknown): void => {
    if (!Array.isArray(steps)) return;
    for (const s of steps) {
      if (!isPlainObject(s)) continue;
      if (typeof s.set === 'string') out.add(s.set.replace(/^\$/, ''));
      if (typeof s.rewrite === 'string') groupNames(s.rewrite, out);
      if (typeof s.if === 'string') groupNames(s.if, out);
      if (s.if !== undefined) walk(s.then);
    }
  };
  for (const l of lists) walk(l);
  return out;
}

/** `body: true` for a return's text: any character goes in a body (nginx's `return 200 "ok\n"`); paths, URIs and Locations may not break a line. */
function template(text: unknown, path: string, names: ReadonlySet<string>, body = false): Template {
  if (typeof text !== 'string') fail(path, `must be a string, got ${describe(text)}`);
  if (!body && /[\r\n\0]/.test(text)) fail(path, 'must not contain CR, LF or NUL');
  try {
    return compileTemplate(text, names);
  } catch (err) {
    if (err instanceof TemplateError) fail(path, err.message);
    throw err;
  }
}

function regex(source: unknown, path: string, ignoreCase: boolean): RegExp {
  if (typeof source !== 'string' || source === '') fail(path, `must be a regular expression string, got ${describe(source)}`);
  const compiled = compileSafeRegex(source, ignoreCase);
  if ('invalid' in compiled) fail(path, `is not a valid regular expression in JavaScript: ${compiled.invalid}`);
  if ('unsafe' in compiled) fail(path, `can take exponential time on a crafted path: ${compiled.unsafe}`);
  return compiled.regex;
}

/** nginx's non-standard 444: close the connection, send nothing. */
const CLOSE_STATUS = 444;

/** `{ status, url? | body? }` as a step (variables allowed in url and body). */
export function compileReturn(value: unknown, path: string, names: ReadonlySet<string>): Extract<Step, { kind: 'return' }> {
  if (!isPlainObject(value)) fail(path, `must be an object { status, url? | body? }, got ${describe(value)}`);
  checkKeys(value, ['status', 'url', 'body'], path);
  const status = value.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || ((status < 200 || status > 599) && status !== CLOSE_STATUS)) {
    fail(`${path}.status`, `must be an HTTP status from 200 to 599, or 444 (close the connection without an answer), got ${describe(status)}`);
  }
  if (status === CLOSE_STATUS) {
    // nginx's 444 writes nothing, so a Location or a text would never reach the client.
    for (const field of ['url', 'body'] as const)
      if (value[field] !== undefined) fail(`${path}.${field}`, 'is not sent with status 444 (the connection is closed without an answer): leave it out');
    return { kind: 'return', status, url: undefined, body: undefined };
  }
  const url = value.url === undefined ? undefined : template(value.url, `${path}.url`, names);
  const body = value.body === undefined ? undefined : template(value.body, `${path}.body`, names, true);
  if (REDIRECTS.has(status) && url === undefined) fail(`${path}.url`, `is required with status ${status} (the Location of the redirect)`);
  if (!REDIRECTS.has(status) && url !== undefined) fail(`${path}.url`, `only goes with a redirect status (301, 302, 303, 307, 308), got ${status}: use body`);
  return { kind: 'return', status, url, body };
}

/**
 * An `if` condition as nginx writes it: `$var`, `$var = text`, `$var != text`, `$var ~ re`,
 * `$var ~* re`, `$var !~ re`, `$var !~* re`, `-f path`, `!-f path`, `-d`, `!-d`, `-e`, `!-e`.
 */
export function compileCondition(text: unknown, path: string, names: ReadonlySet<string>): Condition {
  if (typeof text !== 'string' || text.trim() === '')
    fail(path, `must be an nginx condition such as '$host = example.com' or '!-f $request_filename', got ${describe(text)}`);
  const src = text.trim();
  const file = /^(!?)-([fde])\s+(\S.*)$/.exec(src);
  if (file !== null)
    return { kind: 'file', negate: file[1] === '!', test: file[2] as 'f' | 'd' | 'e', path: template(unquote(file[3] as string), path, names) };
  if (/^!?-[a-z]\b/.test(src)) fail(path, `"${src}": only the file tests -f, -d, -e (and !-f, !-d, !-e) are supported`);
  const m = /^(\$\{?[A-Za-z0-9_]+\}?)(?:\s*(!=|=|!~\*|!~|~\*|~)\s*(.*))?$/s.exec(src);
  if (m === null) fail(path, `"${src}" is not a condition switchyard reads (a variable, then = != ~ ~* !~ !~* and a value; or -f/-d/-e and a path)`);
  const value = template(m[1], path, names);
  const op = m[2];
  if (op === undefined) return { kind: 'truthy', value };
  const rest = unquote((m[3] ?? '').trim());
  if (op === '=' || op === '!=') return { kind: 'equals', value, text: template(rest, path, names), negate: op === '!=' };
  return { kind: 'regex', value, regex: regex(rest, path, op.endsWith('*')), negate: op.startsWith('!') };
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return s;
}

/** A `rewrite` option: an array of steps. */
export function compileProgram(value: unknown, path: string, names: ReadonlySet<string>, depth = 0): CompiledProgram {
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' && depth === 0 ? " (to replace the location's prefix, write rewritePrefix)" : '';
    fail(path, `must be an array of rewrite steps ({ rewrite, to }, { return }, { set, value }, { break: true }, { if, then }), got ${describe(value)}${hint}`);
  }
  const steps = (value as unknown[]).map((s, i) => compileStep(s, `${path}[${i}]`, names, depth));
  return { steps };
}

function compileStep(s: unknown, path: string, names: ReadonlySet<string>, depth: number): Step {
  if (!isPlainObject(s)) fail(path, `must be a rewrite step object, got ${describe(s)}`);
  if (s.rewrite !== undefined) {
    checkKeys(s, ['rewrite', 'to', 'flag'], path);
    const flag = s.flag;
    if (flag !== undefined && !(FLAGS as readonly unknown[]).includes(flag)) fail(`${path}.flag`, `must be one of ${FLAGS.join(', ')}, got ${describe(flag)}`);
    const to = template(s.to, `${path}.to`, names);
    const absolute = /^(?:https?:\/\/|\$scheme|\$\{scheme\})/.test(to.text);
    if (!absolute && !to.text.startsWith('/') && !to.text.startsWith('$'))
      fail(`${path}.to`, `must start with '/', 'http://', 'https://' or a variable, got ${JSON.stringify(to.text)}`);
    return {
      kind: 'rewrite',
      regex: regex(s.rewrite, `${path}.rewrite`, false),
      to,
      flag: flag as Step extends never ? never : (typeof FLAGS)[number] | undefined,
      absolute,
    };
  }
  if (s.return !== undefined) {
    checkKeys(s, ['return'], path);
    return compileReturn(s.return, `${path}.return`, names);
  }
  if (s.set !== undefined) {
    checkKeys(s, ['set', 'value'], path);
    if (typeof s.set !== 'string' || !/^\$?[A-Za-z_][A-Za-z0-9_]*$/.test(s.set)) fail(`${path}.set`, `must be a variable name, got ${describe(s.set)}`);
    const name = s.set.replace(/^\$/, '');
    if (/^(?:http|cookie|arg)_/.test(name) || ['uri', 'args', 'host', 'scheme', 'request_uri', 'remote_addr', 'request_method'].includes(name))
      fail(`${path}.set`, `"${name}" is a variable nginx gives every request; it cannot be set`);
    return { kind: 'set', name, value: template(s.value ?? '', `${path}.value`, names) };
  }
  if (s.break !== undefined) {
    checkKeys(s, ['break'], path);
    if (s.break !== true) fail(`${path}.break`, `must be true, got ${describe(s.break)}`);
    return { kind: 'break' };
  }
  if (s.if !== undefined) {
    checkKeys(s, ['if', 'then'], path);
    if (depth > 0) fail(`${path}.if`, 'is inside another "if": switchyard refuses nested conditions (write them one after the other)');
    const condition = compileCondition(s.if, `${path}.if`, names);
    return { kind: 'if', condition, then: compileProgram(s.then, `${path}.then`, names, depth + 1).steps };
  }
  return fail(path, `must have one of rewrite, return, set, break, if (got keys ${Object.keys(s).join(', ') || 'none'})`);
}

/** Whether any step (or condition) needs the file system. */
export function usesFiles(steps: readonly Step[]): boolean {
  return steps.some((s) => s.kind === 'if' && (s.condition.kind === 'file' || usesFiles(s.then)));
}

/** `root`, `alias`, `index`, `tryFiles` of one location (undefined when none is given). */
export function compileFiles(options: Record<string, unknown>, path: string, names: ReadonlySet<string>, kind: string): LocationFiles | undefined {
  const { root, alias, index, tryFiles } = options;
  if (root === undefined && alias === undefined && index === undefined && tryFiles === undefined) return undefined;
  if (root !== undefined && alias !== undefined)
    fail(`${path}.alias`, 'cannot be given beside root (nginx: "alias" directive is duplicate / "root" directive is duplicate)');
  if (root === undefined && alias === undefined) {
    fail(`${path}.root`, `is required with ${tryFiles !== undefined ? 'tryFiles' : 'index'} (the directory files are looked up in: give root or alias)`);
  }
  const dir = root ?? alias;
  const which = root !== undefined ? 'root' : 'alias';
  if (typeof dir !== 'string' || dir === '') fail(`${path}.${which}`, `must be a directory path, got ${describe(dir)}`);
  if (which === 'alias' && kind === 'named') fail(`${path}.alias`, 'cannot be used in a named location (nginx: "alias" directive is not allowed here)');
  const t = template(dir, `${path}.${which}`, names);
  if (which === 'alias' && typeof t.parts[0] !== 'string')
    fail(`${path}.alias`, 'must start with a fixed directory before any variable (files are looked up only under it)');
  if ((kind === 'regex' || kind === 'regex-i') && which === 'alias' && t.parts.length === 1)
    fail(`${path}.alias`, "in a regex location must use the location's captures ($1...): nginx serves the alias itself for every matching path otherwise");
  let indexList: string[] = ['index.html'];
  if (index !== undefined) {
    if (!Array.isArray(index) || index.length === 0) fail(`${path}.index`, `must be a non-empty array of file names, got ${describe(index)}`);
    indexList = (index as unknown[]).map((n, i) => {
      if (typeof n !== 'string' || n === '' || n.includes('/') || n.includes('$'))
        fail(`${path}.index[${i}]`, `must be a file name without '/' or variables, got ${describe(n)}`);
      return n;
    });
  }
  let tries: TryEntry[] | undefined;
  let fallback: TryFallback | undefined;
  if (tryFiles !== undefined) {
    if (!Array.isArray(tryFiles) || tryFiles.length < 2)
      fail(`${path}.tryFiles`, `must list at least one file and the fallback (nginx: try_files FILE ... URI|=CODE|@NAME), got ${describe(tryFiles)}`);
    const list = tryFiles as unknown[];
    tries = list.slice(0, -1).map((f, i) => {
      const dir = typeof f === 'string' && f.endsWith('/');
      return { name: template(dir && f.length > 1 ? f.slice(0, -1) : f, `${path}.tryFiles[${i}]`, names), dir };
    });
    const lastPath = `${path}.tryFiles[${list.length - 1}]`;
    const last = list[list.length - 1];
    if (typeof last !== 'string' || last === '') fail(lastPath, `must be a URI, '=CODE' or '@name', got ${describe(last)}`);
    if (last.startsWith('=')) {
      const status = Number(last.slice(1));
      if (!/^=\d{3}$/.test(last) || status < 200 || status > 599) fail(lastPath, `must be '=CODE' with a status from 200 to 599, got ${JSON.stringify(last)}`);
      fallback = { kind: 'status', status };
    } else if (last.startsWith('@')) {
      fallback = { kind: 'named', name: last };
    } else {
      if (!last.startsWith('/') && !last.startsWith('$')) fail(lastPath, `must start with '/', '=' or '@', got ${JSON.stringify(last)}`);
      fallback = { kind: 'uri', uri: template(last, lastPath, names) };
    }
  }
  return { root: which === 'root' ? t : undefined, alias: which === 'alias' ? t : undefined, index: indexList, tryFiles: tries, fallback };
}

/** Every `set` name of one server: its own steps and those of its locations, nested ones included (raw options). */
export function siteSetNames(rewrite: unknown, locations: unknown): Set<string> {
  const lists: unknown[] = [rewrite];
  const captures = new Set<string>();
  const walk = (input: unknown): void => {
    if (!isPlainObject(input)) return;
    for (const [pattern, value] of Object.entries(input)) {
      // A regex location's named captures (`~ ^/(?<app>[^/]+)/`) are variables of its directives.
      if (pattern.startsWith('~')) groupNames(pattern, captures);
      if (!isPlainObject(value)) continue;
      lists.push(value.rewrite);
      walk(value.locations);
    }
  };
  walk(locations);
  return setNames(lists, captures);
}
