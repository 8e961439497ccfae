/** @module nginx `log_format` and `access_log` (http and server level) turned into the `accessLog` option. */
import type { AccessLogOption } from '../access-log/resolve-access-log.js';
import { compileLogFormat, COMBINED_FORMAT, LogFormatError, type LogEscape } from '../access-log/log-format.js';
import type { Directive } from './syntax-tree.js';
import { fail, type ImportNotes } from './notes.js';

interface ImportedFormat {
  readonly template: string;
  readonly escape: LogEscape;
}

/** The formats defined so far (nginx predefines `combined`) and the access log chosen. */
export class LogDirectives {
  readonly #formats = new Map<string, ImportedFormat>([['combined', { template: COMBINED_FORMAT, escape: 'default' }]]);
  #accessLog: AccessLogOption | undefined;
  #at: Directive | undefined;

  /** `log_format name [escape=default|json|none] string ...;` (the strings are joined, as nginx does). */
  logFormat(d: Directive, ctx: string): void {
    if (ctx !== 'http') fail(d, '"log_format" directive is not allowed here');
    const [name, ...rest] = d.args;
    if (name === undefined || rest.length === 0) fail(d, 'invalid number of arguments in "log_format" directive');
    if (this.#formats.has(name.value)) fail(name, `duplicate "log_format" name "${name.value}"`);
    let escape: LogEscape = 'default';
    let strings = rest;
    const first = rest[0];
    if (first !== undefined && first.value.startsWith('escape=')) {
      const value = first.value.slice(7);
      if (value !== 'default' && value !== 'json' && value !== 'none') fail(first, `unknown log format escaping "${value}"`);
      escape = value;
      strings = rest.slice(1);
      if (strings.length === 0) fail(d, 'invalid number of arguments in "log_format" directive');
    }
    const template = strings.map((s) => s.value).join('');
    try {
      compileLogFormat(template, escape);
    } catch (err) {
      if (err instanceof LogFormatError) fail(strings[0] ?? d, err.message);
      throw err;
    }
    this.#formats.set(name.value, { template, escape });
  }

  /** `access_log off;` or `access_log path [format [buffer=] [flush=] [gzip] [if=]];` */
  accessLog(d: Directive, notes: ImportNotes): void {
    const [path, format, ...params] = d.args;
    if (path === undefined) fail(d, 'invalid number of arguments in "access_log" directive');
    if (path.value === 'off') {
      if (d.args.length !== 1) fail(d, 'invalid number of arguments in "access_log" directive');
      this.#set(d, false, notes);
      return;
    }
    const name = format?.value ?? 'combined';
    const chosen = this.#formats.get(name);
    if (chosen === undefined) fail(format ?? d, `unknown log format "${name}"`);
    notes.warn(
      d,
      `"access_log ${path.value}": the lines go to the app's logger (Fastify: its request log line; Express: the accessLog destination), not to this path`,
      'harmless',
    );
    for (const p of params) {
      if (p.value.startsWith('if=')) fail(p, `"access_log ... ${p.value}" is not supported: switchyard does not evaluate nginx conditions`);
      notes.ignored(p, `access_log ${p.value.split('=', 1)[0] ?? p.value}`, "buffering and compression are the logger's job", 'harmless');
    }
    this.#set(d, name === 'combined' ? 'combined' : chosen.escape === 'default' ? chosen.template : { format: chosen.template, escape: chosen.escape }, notes);
  }

  #set(d: Directive, value: AccessLogOption, notes: ImportNotes): void {
    if (this.#at !== undefined) {
      notes.warn(d, `another "access_log" (line ${this.#at.line} was first): switchyard writes one access log, the last one read is used`, 'harmless');
    }
    this.#at = d;
    this.#accessLog = value;
  }

  /** Undefined when the file has no `access_log` (then switchyard logs no request lines, see docs/observability.md). */
  option(): AccessLogOption | undefined {
    return this.#accessLog;
  }
}
