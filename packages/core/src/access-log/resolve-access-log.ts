/** @module The `accessLog` option checked and its format compiled once, at configuration time. */
import { checkKeys, describe, expectObject, fail } from '../config/describe.js';
import { compileLogFormat, LogFormatError, NAMED_FORMATS, type AccessLogFormat, type LogEscape } from './log-format.js';

/** `accessLog` as written: `true` (the adapter's default format), a named format or template, or the object form. */
export type AccessLogOption = boolean | string | AccessLogOptions;

export interface AccessLogOptions {
  /**
   * `'combined'` (nginx's), `'upstream'` (combined plus the `$upstream_*` variables), `'json'`, or an
   * nginx `log_format` template such as `'$remote_addr "$request" $status $upstream_addr'`.
   * Default: `'json'` on Fastify (fields of its request log line), `'upstream'` on Express.
   */
  format?: string;
  /** nginx `log_format escape=`: how variable values are escaped in a template. Default `'default'`. */
  escape?: LogEscape;
}

/** The access log as the adapters read it; `format` undefined means the adapter's default. */
export interface ResolvedAccessLog {
  readonly format: AccessLogFormat | undefined;
}

const KEYS = ['format', 'escape'] as const;
const ESCAPES: readonly LogEscape[] = ['default', 'json', 'none'];

function compile(format: string, escape: LogEscape, path: string): AccessLogFormat {
  if (format.trim() === '') fail(path, `must be one of ${NAMED_FORMATS.map((n) => `"${n}"`).join(', ')} or a log_format template, got ""`);
  try {
    return compileLogFormat(format, escape);
  } catch (err) {
    if (err instanceof LogFormatError) fail(path, `${err.message} in ${describe(format)}`);
    throw err;
  }
}

/** Undefined when the access log is off (the default). */
export function resolveAccessLog(value: unknown): ResolvedAccessLog | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return Object.freeze({ format: undefined });
  if (typeof value === 'string') return Object.freeze({ format: compile(value, 'default', 'accessLog') });
  const obj = expectObject(value, 'accessLog', 'a boolean, a format name or template, or { format, escape }');
  checkKeys(obj, KEYS, 'accessLog');
  let escape: LogEscape = 'default';
  if (obj.escape !== undefined) {
    if (!ESCAPES.includes(obj.escape as LogEscape)) fail('accessLog.escape', `must be one of "default", "json", "none", got ${describe(obj.escape)}`);
    escape = obj.escape as LogEscape;
  }
  if (obj.format === undefined) return Object.freeze({ format: obj.escape === undefined ? undefined : compileLogFormat('upstream', escape) });
  if (typeof obj.format !== 'string') fail('accessLog.format', `must be a string, got ${describe(obj.format)}`);
  return Object.freeze({ format: compile(obj.format, escape, 'accessLog.format') });
}
