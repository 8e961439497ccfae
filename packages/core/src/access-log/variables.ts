/** @module The nginx variables an access log line can name, read from the per-request facts (`$upstream_*` joined per try as ngx_http_upstream.c does). */
import type { RequestFacts, TryFacts } from '../request-facts/facts-types.js';
import { lastUpstreamHeaders } from '../request-facts/upstream-headers.js';

/** What a variable reads: the facts, and the response headers for `$sent_http_*`. */
export interface LogContext {
  readonly facts: RequestFacts;
  /** A response header as sent (lower-case name); undefined when the adapter cannot tell. */
  readonly sent?: ((name: string) => number | string | readonly string[] | undefined) | undefined;
}

/** A variable's value, or undefined when nginx would say "not found" (`-` in the line, `""` with escape=json). */
export type VariableGetter = (ctx: LogContext) => string | undefined;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function offset(date: Date, colon: boolean): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${two(Math.floor(abs / 60))}${colon ? ':' : ''}${two(abs % 60)}`;
}

/** nginx caches its time strings per second: so does this (one Date per second, not per line). */
class SecondCache {
  #second = -1;
  #value = '';
  readonly #render: (date: Date) => string;
  constructor(render: (date: Date) => string) {
    this.#render = render;
  }
  get(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#value = this.#render(new Date(second * 1000));
    }
    return this.#value;
  }
}

const timeLocal = new SecondCache(
  (d) =>
    `${two(d.getDate())}/${MONTHS[d.getMonth()] ?? ''}/${d.getFullYear()}:${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${offset(d, false)}`,
);
const timeIso = new SecondCache(
  (d) => `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${offset(d, true)}`,
);

/** nginx's `%T.%03M`: whole milliseconds as seconds with three decimals. */
export function seconds(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  const rest = whole % 1000;
  return `${Math.floor(whole / 1000)}.${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}`;
}

function endedAt(facts: RequestFacts): number {
  return facts.endedAt ?? Date.now();
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function argsOf(url: string): string | undefined {
  const q = url.indexOf('?');
  return q === -1 ? undefined : url.slice(q + 1);
}

function headerText(value: number | string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.join(', ');
}

/** `Authorization: Basic` user name, as nginx's `$remote_user`. */
function remoteUser(facts: RequestFacts): string | undefined {
  const auth = facts.headers.authorization;
  if (auth === undefined || auth.length < 7 || auth.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  return colon <= 0 ? undefined : decoded.slice(0, colon);
}

/**
 * One value per try, `, ` between tries and ` : ` where a new upstream group starts
 * (ngx_http_upstream_addr_variable and its siblings); not found when no try was made.
 */
function perTry(value: (t: TryFacts) => string): VariableGetter {
  return ({ facts }) => {
    const tries = facts.tries;
    if (tries.length === 0) return undefined;
    let out = value(tries[0] as TryFacts);
    for (let i = 1; i < tries.length; i++) {
      const t = tries[i] as TryFacts;
      out += (t.group !== (tries[i - 1] as TryFacts).group ? ' : ' : ', ') + value(t);
    }
    return out;
  };
}

/** nginx prints a time only for a try with a status, and falls back to the response time when the part is unknown. */
function tryTime(part: (t: TryFacts) => number | undefined): (t: TryFacts) => string {
  return (t) => {
    if (t.status === undefined) return '-';
    return seconds(part(t) ?? t.totalMs ?? t.headerMs ?? 0);
  };
}

const VARIABLES: Record<string, VariableGetter> = {
  remote_addr: ({ facts }) => facts.remoteAddr,
  remote_user: ({ facts }) => remoteUser(facts),
  time_local: ({ facts }) => timeLocal.get(endedAt(facts)),
  time_iso8601: ({ facts }) => timeIso.get(endedAt(facts)),
  msec: ({ facts }) => seconds(endedAt(facts)),
  request: ({ facts }) => `${facts.method} ${facts.url} HTTP/${facts.httpVersion}`,
  request_method: ({ facts }) => facts.method,
  request_uri: ({ facts }) => facts.url,
  uri: ({ facts }) => pathOf(facts.url),
  args: ({ facts }) => argsOf(facts.url),
  query_string: ({ facts }) => argsOf(facts.url),
  server_protocol: ({ facts }) => `HTTP/${facts.httpVersion}`,
  host: ({ facts }) => {
    const host = facts.headers.host;
    if (host === undefined) return undefined;
    const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
    const colon = bracket === -1 ? host.indexOf(':') : host.indexOf(':', bracket);
    return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
  },
  status: ({ facts }) => (facts.status === 0 ? '000' : String(facts.status)),
  body_bytes_sent: ({ facts }) => String(facts.bodyBytesSent),
  bytes_sent: ({ facts }) => String(facts.bytesSent),
  request_time: ({ facts }) => seconds(facts.requestMs ?? 0),
  upstream_addr: perTry((t) => t.addr),
  upstream_status: perTry((t) => (t.status === undefined ? '-' : String(t.status))),
  upstream_response_time: perTry(tryTime((t) => t.totalMs)),
  upstream_connect_time: perTry(tryTime((t) => t.connectMs)),
  upstream_header_time: perTry(tryTime((t) => t.headerMs)),
  // switchyard's own: what nginx has no variable for.
  upstream_name: ({ facts }) => facts.upstream,
  upstream_location: ({ facts }) => facts.location,
  upstream_tries: ({ facts }) => (facts.tries.length === 0 ? undefined : String(facts.tries.length)),
  upstream_failure: perTry((t) => t.failure ?? '-'),
  upstream_sticky: perTry((t) => t.sticky ?? '-'),
};

/** Every variable name the access log knows (besides the `http_*`, `sent_http_*` and `upstream_http_*` families). */
export const VARIABLE_NAMES: readonly string[] = Object.freeze(Object.keys(VARIABLES));

/** The getter for `$name`, or undefined when nginx would refuse it (`unknown "name" variable`). */
export function variableGetter(name: string): VariableGetter | undefined {
  if (Object.prototype.hasOwnProperty.call(VARIABLES, name)) return VARIABLES[name];
  if (name.startsWith('http_') && name.length > 5) {
    // nginx: `$http_user_agent` is the header `User-Agent` (dashes as underscores, any case).
    const header = name.slice(5).toLowerCase().replace(/_/g, '-');
    return ({ facts }) => headerText(facts.headers[header]);
  }
  if (name.startsWith('upstream_http_') && name.length > 14) {
    // The last try's response header as the upstream sent it (before proxy_hide_header and hooks).
    const header = name.slice(14).toLowerCase().replace(/_/g, '-');
    return ({ facts }) => headerText(lastUpstreamHeaders(facts)?.[header]);
  }
  if (name.startsWith('sent_http_') && name.length > 10) {
    const header = name.slice(10).toLowerCase().replace(/_/g, '-');
    return ({ sent }) => headerText(sent?.(header));
  }
  return undefined;
}
