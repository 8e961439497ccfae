/** @module nginx `log_format` templates compiled once into a line builder (escape=default|json|none), and the named formats `combined`, `upstream` and `json`. */
import { variableGetter, type LogContext, type VariableGetter } from './variables.js';

export type LogEscape = 'default' | 'json' | 'none';

/** A compiled access log format. */
export interface AccessLogFormat {
  /** `combined`, `upstream`, `json`, or undefined for a template written by the user. */
  readonly name: string | undefined;
  /** The template as written (the JSON field list for `json`). */
  readonly template: string;
  readonly escape: LogEscape;
  /** One line, without the newline. */
  line(ctx: LogContext): string;
  /** The `json` format as fields (a pino line's properties); undefined for text formats. */
  fields?: ((ctx: LogContext) => Record<string, string | number>) | undefined;
}

/** nginx's predefined format. */
export const COMBINED_FORMAT = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** `combined` plus what the balancer did: the usual nginx "upstream log" format. */
export const UPSTREAM_FORMAT =
  `${COMBINED_FORMAT} upstream=$upstream_name addr="$upstream_addr" status="$upstream_status"` +
  ` connect="$upstream_connect_time" header="$upstream_header_time" response="$upstream_response_time" request_time=$request_time`;

/** The fields of the `json` format (as a pino/JSON log line's keys) and the variable each one reads. */
export const JSON_FIELDS: readonly string[] = Object.freeze([
  'remote_addr',
  'time_iso8601',
  'request',
  'status',
  'body_bytes_sent',
  'request_time',
  'http_referer',
  'http_user_agent',
  'upstream_name',
  'upstream_addr',
  'upstream_status',
  'upstream_connect_time',
  'upstream_header_time',
  'upstream_response_time',
  'upstream_tries',
  'upstream_sticky',
]);

/** Fields written as JSON numbers (one value per request); the `upstream_*` lists stay strings, as nginx prints them. */
const NUMERIC = new Set(['status', 'body_bytes_sent', 'bytes_sent', 'request_time']);

export const NAMED_FORMATS: readonly string[] = Object.freeze(['combined', 'upstream', 'json']);

/** A template that nginx would refuse: the message is nginx's own wording. */
export class LogFormatError extends Error {}

type Part = string | { readonly name: string; readonly get: VariableGetter };

/** Split `$name` / `${name}` from the literal text (ngx_http_log_compile_format). */
function compileParts(template: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    let name: string;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      if (close === -1) throw new LogFormatError(`the closing bracket in "${template.slice(i + 2)}" variable is missing`);
      name = template.slice(i + 2, close);
      i = close + 1;
    } else {
      let end = i + 1;
      while (end < template.length && /[A-Za-z0-9_]/.test(template[end] as string)) end++;
      name = template.slice(i + 1, end);
      i = end;
    }
    if (name === '') throw new LogFormatError(`invalid parameter "${template}"`);
    const get = variableGetter(name);
    if (get === undefined) throw new LogFormatError(`unknown "${name}" variable`);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ name, get });
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

function hex(code: number): string {
  return `\\x${code < 16 ? '0' : ''}${code.toString(16).toUpperCase()}`;
}

/** nginx's default escaping: `"`, `\`, control characters and bytes above 0x7E as `\xHH`. */
function escapeDefault(value: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22 || code === 0x5c || code < 0x20 || code > 0x7e) {
      out += value.slice(from, i) + (code > 0xff ? hex(0x3f) : hex(code));
      from = i + 1;
    }
  }
  return from === 0 ? value : out + value.slice(from);
}

function escapeJson(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function escaper(escape: LogEscape): (value: string) => string {
  if (escape === 'json') return escapeJson;
  if (escape === 'none') return (v) => v;
  return escapeDefault;
}

/**
 * Compile a `log_format` template (or a named format) once; the returned builder runs per request.
 * Throws LogFormatError for an unknown variable or a broken `${...}`.
 */
export function compileLogFormat(format: string, escape: LogEscape = 'default'): AccessLogFormat {
  if (format === 'json') return jsonFormat();
  const name = format === 'combined' || format === 'upstream' ? format : undefined;
  const template = format === 'combined' ? COMBINED_FORMAT : format === 'upstream' ? UPSTREAM_FORMAT : format;
  const parts = compileParts(template);
  const esc = escaper(escape);
  // nginx: a variable not found is `-`, except with escape=json where it is empty.
  const missing = escape === 'json' ? '' : '-';
  const line = (ctx: LogContext): string => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else {
        const value = part.get(ctx);
        out += value === undefined ? missing : esc(value);
      }
    }
    return out;
  };
  return { name, template, escape, line };
}

function jsonFormat(): AccessLogFormat {
  const getters = JSON_FIELDS.map((field) => [field, variableGetter(field) as VariableGetter] as const);
  const fields = (ctx: LogContext): Record<string, string | number> => {
    const out: Record<string, string | number> = {};
    for (const [field, get] of getters) {
      const value = get(ctx);
      if (value === undefined) continue;
      out[field] = NUMERIC.has(field) ? Number(value) : value;
    }
    return out;
  };
  return { name: 'json', template: JSON_FIELDS.join(' '), escape: 'json', line: (ctx) => JSON.stringify(fields(ctx)), fields };
}
