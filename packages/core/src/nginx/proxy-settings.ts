/** @module The proxy_* directives switchyard maps (retries, timeouts, request headers, passed response headers), read at http, server or location level and inherited as nginx does. */
import type { RetryCondition } from '../types.js';
import { nginxDuration } from './durations.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';
import { own } from '../config/own.js';
import { RESPONSE_DIRECTIVES, readResponseDirective, type ResponseSettings } from './response-directives.js';
import { mergeSsl, readSslDirective, SSL_DIRECTIVES, type SslDirectives } from './proxy-ssl.js';
import type { Position } from './tokenizer.js';

/** What one `proxy_set_header` turns into: the header and its value (nginx variables unexpanded; `''` removes it). */
export interface HeaderEffect {
  readonly name: string;
  readonly value: string;
  /** The value's position: its variables are checked when the location is written out (maps and server constants known). */
  readonly at?: Position;
}

/**
 * The proxy settings written at one level. Each field inherits separately from
 * the enclosing level when unset (ngx_conf_merge_*), except the
 * `proxy_set_header` list, which nginx inherits only as a whole: a location
 * with one `proxy_set_header` of its own drops every one of its server's.
 */
export interface ProxySettings extends ResponseSettings {
  nextUpstream?: { on: RetryCondition[]; nonIdempotent: boolean };
  tries?: number;
  retryTimeout?: string;
  connect?: string;
  read?: string;
  send?: string;
  headers?: HeaderEffect[];
  /** `proxy_pass_header` names (lower-case), inherited as a whole list. */
  passHeaders?: string[];
  /** The first `server_name` of the server block, for `$server_name` in header values. */
  serverName?: string;
  /** The server's constant `set` variables (lower-case name to text), written into header values (see server-constants.ts). */
  constants?: Record<string, string>;
  /** proxy_ssl_* values, each inherited on its own. */
  ssl?: SslDirectives;
}

/** Child fields over parent fields. */
export function mergeSettings(parent: ProxySettings, child: ProxySettings): ProxySettings {
  const out: ProxySettings = { ...parent };
  for (const [k, v] of Object.entries(child) as Array<[keyof ProxySettings, ProxySettings[keyof ProxySettings]]>) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (child.ssl !== undefined) out.ssl = mergeSsl(parent.ssl, child.ssl);
  return out;
}

const NEXT_UPSTREAM: Record<string, RetryCondition> = {
  error: 'error',
  timeout: 'timeout',
  invalid_header: 'invalid_header',
  http_500: 500,
  http_502: 502,
  http_503: 503,
  http_504: 504,
  http_403: 403,
  http_404: 404,
  http_429: 429,
};

const WEBSOCKET_HEADERS = new Set(['upgrade', 'connection']);
/** Framing and per-connection headers the transports write themselves (nginx's own defaults remove most of them). */
const CONNECTION_HEADERS = new Set(['keep-alive', 'te', 'trailer', 'transfer-encoding', 'proxy-connection', 'content-length', 'expect']);

/**
 * ngx_http_grpc_module's directives that mean what their proxy_* twins mean: read as those. (nginx
 * keeps the two sets apart per module; a location has one of proxy_pass and grpc_pass, so one set applies.)
 */
const GRPC_TWINS: Readonly<Record<string, string>> = {
  grpc_next_upstream: 'proxy_next_upstream',
  grpc_next_upstream_tries: 'proxy_next_upstream_tries',
  grpc_next_upstream_timeout: 'proxy_next_upstream_timeout',
  grpc_connect_timeout: 'proxy_connect_timeout',
  grpc_read_timeout: 'proxy_read_timeout',
  grpc_send_timeout: 'proxy_send_timeout',
  grpc_set_header: 'proxy_set_header',
};

/** The proxy_* directives this module understands; `readProxyDirective` returns false for any other. */
export const PROXY_DIRECTIVES = new Set([
  'proxy_next_upstream',
  'proxy_next_upstream_tries',
  'proxy_next_upstream_timeout',
  'proxy_connect_timeout',
  'proxy_read_timeout',
  'proxy_send_timeout',
  'proxy_set_header',
  'proxy_pass_header',
  'proxy_http_version',
  ...Object.keys(GRPC_TWINS),
  ...RESPONSE_DIRECTIVES,
  ...SSL_DIRECTIVES,
]);

/** Apply one proxy_* directive to `level`; returns false when the directive is not one of `PROXY_DIRECTIVES`. */
export function readProxyDirective(d: Directive, level: ProxySettings, notes: ImportNotes): boolean {
  const twin = own(GRPC_TWINS, d.name);
  if (twin !== undefined) return readProxyDirective({ ...d, name: twin }, level, notes);
  if (d.name === 'server_name') {
    // Recorded for `$server_name`; not claimed, so the directive still gets its "ignored" line.
    const first = d.args[0];
    if (first !== undefined && level.serverName === undefined) level.serverName = first.value;
    return false;
  }
  if (readResponseDirective(d, level, notes)) return true;
  if (!PROXY_DIRECTIVES.has(d.name)) return false;
  if (readSslDirective(d, level, notes)) return true;
  if (d.block) fail(d, `"${d.name}" cannot have a block`);
  const one = (): string => {
    const a = d.args[0];
    if (a === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
    return a.value;
  };
  const duplicate = (set: unknown): void => {
    if (set !== undefined) fail(d, `"${d.name}" directive is duplicate`);
  };
  const duration = (): string => {
    const v = one();
    const ms = nginxDuration(v);
    if (ms === undefined) fail(d.args[0] ?? d, `invalid value "${v}" in "${d.name}" directive`);
    return ms;
  };
  switch (d.name) {
    case 'proxy_next_upstream': {
      if (d.args.length === 0) fail(d, 'invalid number of arguments in "proxy_next_upstream" directive');
      // nginx ORs repeated proxy_next_upstream lines of one level into one bitmask; "off" wins over the rest.
      const acc = level.nextUpstream ?? { on: [], nonIdempotent: false };
      let off = false;
      for (const a of d.args) {
        const cond = own(NEXT_UPSTREAM, a.value);
        if (cond !== undefined) {
          if (!acc.on.includes(cond)) acc.on.push(cond);
        } else if (a.value === 'non_idempotent') {
          acc.nonIdempotent = true;
        } else if (a.value === 'off') {
          off = true;
        } else if (a.value === 'updating') {
          notes.warn(a, '"proxy_next_upstream updating" ignored (switchyard has no cache)', 'harmless');
        } else {
          fail(a, `invalid value "${a.value}" in "proxy_next_upstream" directive`);
        }
      }
      level.nextUpstream = off ? { on: [], nonIdempotent: false } : acc;
      return true;
    }
    case 'proxy_next_upstream_tries': {
      duplicate(level.tries);
      const v = one();
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(d.args[0] ?? d, `invalid value "${v}" in "${d.name}" directive`);
      level.tries = Number(v);
      return true;
    }
    case 'proxy_next_upstream_timeout':
      duplicate(level.retryTimeout);
      level.retryTimeout = duration();
      return true;
    case 'proxy_connect_timeout':
      duplicate(level.connect);
      level.connect = duration();
      return true;
    case 'proxy_read_timeout':
      duplicate(level.read);
      level.read = duration();
      return true;
    case 'proxy_send_timeout':
      duplicate(level.send);
      level.send = duration();
      return true;
    case 'proxy_http_version': {
      const v = one();
      if (v !== '1.0' && v !== '1.1') fail(d.args[0] ?? d, `invalid value "${v}" in "proxy_http_version" directive`);
      notes.ignored(d, `proxy_http_version ${v}`, 'switchyard always speaks HTTP/1.1 with keep-alive to upstreams', v === '1.1' ? 'harmless' : 'changes');
      return true;
    }
    case 'proxy_pass_header': {
      const name = one();
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) fail(d.args[0] ?? d, `invalid header name "${name}" in "proxy_pass_header" directive`);
      (level.passHeaders ??= []).push(name.toLowerCase());
      return true;
    }
    default: {
      readSetHeader(d, level, notes);
      return true;
    }
  }
}

/**
 * `proxy_set_header NAME VALUE`: the header is sent with nginx's variables expanded per request
 * (an unknown variable is an error naming the line, raised when the location is written out:
 * maps and a server's constant `set` variables are known then); an empty value removes the client's header.
 * Upgrade/Connection (switchyard proxies WebSocket upgrades and keeps connections alive itself)
 * and framing headers are ignored with a warning.
 */
function readSetHeader(d: Directive, level: ProxySettings, notes: ImportNotes): void {
  const [nameWord, valueWord, extra] = d.args;
  if (nameWord === undefined || valueWord === undefined || extra !== undefined) {
    fail(d, 'invalid number of arguments in "proxy_set_header" directive');
  }
  const headers = (level.headers ??= []);
  const name = nameWord.value;
  const value = valueWord.value;
  const lower = name.toLowerCase();
  const what = `proxy_set_header ${name}`;
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) fail(nameWord, `invalid header name "${name}" in "proxy_set_header" directive`);
  if (WEBSOCKET_HEADERS.has(lower)) {
    const reason =
      lower === 'connection' && (value === '' || value.toLowerCase() === 'close' || value.toLowerCase() === 'keep-alive')
        ? 'switchyard keeps upstream connections alive itself'
        : 'switchyard proxies WebSocket upgrades itself';
    notes.ignored(d, what, reason, 'harmless');
    return;
  }
  if (CONNECTION_HEADERS.has(lower)) {
    notes.ignored(d, what, 'switchyard frames requests and manages connections itself', 'harmless');
    return;
  }
  if (lower === 'host' && value === '') fail(valueWord, '"proxy_set_header Host" with an empty value is not supported: every HTTP/1.1 request has a Host');
  headers.push({ name, value, at: { line: valueWord.line, column: valueWord.column, ...(valueWord.file !== undefined ? { file: valueWord.file } : {}) } });
}
