/** @module Reads one nginx `upstream NAME { ... }` block: servers with their parameters, the balancing method, keepalive. */
import { compileHashKey } from '../config/hash-key.js';
import { SwitchyardConfigError } from '../errors.js';
import type { BalanceStrategyName, QueueOptions, ResolverOptions, ServerOptions } from '../types.js';
import { readQueue } from './queue-directive.js';
import { readResolver, readResolverTimeout } from './resolver-directive.js';
import { nginxDuration } from './durations.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';
import type { Position, WordToken } from './tokenizer.js';
import type { StickyOptions } from '../sticky/sticky-types.js';
import { readSticky, readStickyExtras } from './sticky-directive.js';
import { own } from '../config/own.js';

/** A server address as written: the scheme comes later, from the `proxy_pass` that uses the pool. */
export interface ImportedServer extends Position {
  /** Host as written (IPv6 keeps its brackets). */
  readonly host: string;
  /** Port as written, `undefined` when omitted (nginx then uses 80). */
  readonly port: string | undefined;
  readonly options: Omit<ServerOptions, 'url'>;
}

export interface ImportedUpstream extends Position {
  readonly name: string;
  readonly servers: ImportedServer[];
  balance: BalanceStrategyName | undefined;
  hash: { key: string; consistent: boolean } | undefined;
  keepalive: number | undefined;
  /** nginx `sticky` (see sticky-directive.ts). */
  sticky?: StickyOptions;
  /** nginx 1.27.3+ `resolver` / `resolver_timeout` inside the upstream block. */
  resolver?: ResolverOptions;
  /** NGINX Plus `queue N timeout=T`, and where it is written. */
  queue?: QueueOptions;
  queueAt?: Position;
}

/** Methods whose nginx module does not accept `backup` servers (no NGX_HTTP_UPSTREAM_BACKUP flag). */
const NO_BACKUP: ReadonlySet<BalanceStrategyName> = new Set(['ip-hash', 'hash', 'random', 'random-two']);

/**
 * Directives that are valid nginx but change nothing switchyard decides: reported as warnings.
 * Everything else inside `upstream` is an error: an upstream block is all about
 * balancing, so a directive we cannot honour there (`ntlm`,
 * `state`, or a typo) would change where requests go, and must not be dropped.
 */
const IGNORED_IN_UPSTREAM: Record<string, string> = {
  zone: 'switchyard keeps pool state in the process; no shared memory zone is needed',
  keepalive_timeout: "switchyard's upstream agent manages idle connection lifetime",
  keepalive_requests: "switchyard's upstream agent manages idle connection lifetime",
  keepalive_time: "switchyard's upstream agent manages idle connection lifetime",
};

const UNSUPPORTED_IN_UPSTREAM: Record<string, string> = {
  sticky_cookie_insert: '"sticky_cookie_insert" (the pre-1.5.7 NGINX Plus syntax) is not supported: write "sticky cookie NAME ..."',
  ntlm: '"ntlm" (client-bound upstream connections) is not supported',
  state: '"state" (servers kept in a file) is not supported: list the servers in the block',
};

/** Read an `upstream` directive (with its block). */
export function readUpstream(d: Directive, notes: ImportNotes): ImportedUpstream {
  const nameWord = d.args[0];
  if (d.args.length !== 1 || nameWord === undefined) fail(d, 'invalid number of arguments in "upstream" directive');
  if (!d.block) fail(d, `"upstream ${nameWord.value}" needs a { ... } block`);
  if (nameWord.value.includes('$') || nameWord.value.includes('/')) fail(nameWord, `invalid upstream name "${nameWord.value}"`);
  const up: ImportedUpstream = {
    name: nameWord.value,
    line: d.line,
    column: d.column,
    servers: [],
    balance: undefined,
    hash: undefined,
    keepalive: undefined,
  };
  let backupAt: Position | undefined;
  /** Angie's sticky_secret / sticky_strict, applied once the block's `sticky` is known (they may come first). */
  const stickyExtras: Directive[] = [];
  const setMethod = (at: Directive, balance: BalanceStrategyName): void => {
    if (up.balance !== undefined) notes.warn(at, `load balancing method redefined in upstream "${up.name}"; "${at.name}" wins, as in nginx`, 'harmless');
    if (backupAt && NO_BACKUP.has(balance)) fail(backupAt, `balancing method "${at.name}" does not support parameter "backup"`);
    up.balance = balance;
  };

  for (const c of d.block) {
    if (c.block && c.name !== 'server') fail(c, `"${c.name}" cannot be a block inside upstream "${up.name}"`);
    switch (c.name) {
      case 'server': {
        if (c.block) fail(c, `"server" inside upstream "${up.name}" takes an address, not a block`);
        const server = readServer(c, up);
        if (server.options.backup) backupAt ??= backupWord(c) ?? c;
        up.servers.push(server);
        break;
      }
      case 'least_conn':
        noArgs(c);
        setMethod(c, 'least-conn');
        break;
      case 'ip_hash':
        noArgs(c);
        setMethod(c, 'ip-hash');
        break;
      case 'hash': {
        const key = c.args[0];
        const flag = c.args[1];
        if (key === undefined || c.args.length > 2) fail(c, 'invalid number of arguments in "hash" directive');
        if (flag !== undefined && flag.value !== 'consistent') fail(flag, `invalid parameter "${flag.value}" in "hash" directive`);
        checkHashKey(key);
        setMethod(c, 'hash');
        up.hash = { key: key.value, consistent: flag !== undefined };
        break;
      }
      case 'random':
        setMethod(c, readRandom(c));
        break;
      case 'least_time':
        readLeastTime(c, notes);
        setMethod(c, 'least-time');
        break;
      case 'sticky':
        if (up.sticky !== undefined) fail(c, '"sticky" directive is duplicate');
        up.sticky = readSticky(c, notes);
        break;
      case 'sticky_secret':
      case 'sticky_strict':
        stickyExtras.push(c);
        break;
      case 'keepalive': {
        const n = c.args[0];
        if (n === undefined || c.args.length !== 1) fail(c, 'invalid number of arguments in "keepalive" directive');
        const count = integer(n.value);
        if (count === undefined || count < 1) fail(n, `invalid value "${n.value}" in "keepalive" directive`);
        up.keepalive = count;
        break;
      }
      case 'resolver':
        readResolver(c, (up.resolver ??= {}), notes);
        break;
      case 'queue':
        if (up.queue !== undefined) fail(c, '"queue" directive is duplicate');
        up.queue = readQueue(c);
        up.queueAt = c;
        break;
      case 'resolver_timeout':
        readResolverTimeout(c, (up.resolver ??= {}));
        break;
      default: {
        const ignored = own(IGNORED_IN_UPSTREAM, c.name);
        if (ignored !== undefined) {
          notes.ignored(c, c.name, ignored, 'harmless');
          break;
        }
        const unsupported = own(UNSUPPORTED_IN_UPSTREAM, c.name);
        fail(c, unsupported ?? `unknown directive "${c.name}" in upstream "${up.name}"`);
      }
    }
  }
  if (up.servers.length === 0) fail(d, `no servers are inside upstream "${up.name}"`);
  if (stickyExtras.length > 0) up.sticky = readStickyExtras(stickyExtras, up.sticky, notes);
  return up;
}

/** The key is compiled by config validation later; checking it here gives the error a line and column. */
function checkHashKey(key: WordToken): void {
  try {
    compileHashKey(key.value, 'hash');
  } catch (err) {
    if (!(err instanceof SwitchyardConfigError)) throw err;
    fail(key, `invalid key "${key.value}" in "hash" directive: ${err.message.replace(/^hash /, '')}`);
  }
}

function noArgs(c: Directive): void {
  if (c.args.length > 0) fail(c.args[0] as WordToken, `invalid number of arguments in "${c.name}" directive`);
}

function backupWord(c: Directive): WordToken | undefined {
  return c.args.find((a) => a.value === 'backup');
}

/** `random [two [least_conn]]`: nginx OSS knows only `least_conn` as the method for `two`. */
function readRandom(c: Directive): BalanceStrategyName {
  const [two, method, extra] = c.args;
  if (two === undefined) return 'random';
  if (two.value !== 'two') fail(two, `invalid parameter "${two.value}" in "random" directive`);
  if (extra !== undefined) fail(extra, 'invalid number of arguments in "random" directive');
  if (method !== undefined && method.value !== 'least_conn') {
    if (method.value.startsWith('least_time')) {
      fail(method, '"random two least_time=..." is not supported: switchyard compares the two picks by active connections ("random two least_conn")');
    }
    fail(method, `invalid parameter "${method.value}" in "random" directive`);
  }
  return 'random-two';
}

/** `least_time header | last_byte [inflight]` (NGINX Plus). switchyard measures time to the response header. */
function readLeastTime(c: Directive, notes: ImportNotes): void {
  const [mode, ...rest] = c.args;
  if (mode === undefined || rest.length > 1) fail(c, 'invalid number of arguments in "least_time" directive');
  if (mode.value === 'last_byte') {
    notes.warn(mode, '"least_time last_byte" uses the time to the response header: switchyard averages header times');
  } else if (mode.value !== 'header') {
    fail(mode, `invalid parameter "${mode.value}" in "least_time" directive`);
  }
  const flag = rest[0];
  if (flag !== undefined) {
    if (flag.value !== 'inflight') fail(flag, `invalid parameter "${flag.value}" in "least_time" directive`);
    notes.warn(flag, '"least_time ... inflight" ignored (switchyard averages completed requests only)');
  }
}

/** nginx writes counts as plain decimal integers. */
function integer(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function readServer(c: Directive, up: ImportedUpstream): ImportedServer {
  const [addrWord, ...params] = c.args;
  if (addrWord === undefined) fail(c, 'invalid number of arguments in "server" directive');
  const { host, port } = parseAddress(addrWord);
  const options: { -readonly [K in keyof Omit<ServerOptions, 'url'>]: Omit<ServerOptions, 'url'>[K] } = {};
  const methodForbidsBackup = up.balance !== undefined && NO_BACKUP.has(up.balance);
  for (const p of params) {
    const eq = p.value.indexOf('=');
    const key = eq === -1 ? p.value : p.value.slice(0, eq + 1);
    const val = eq === -1 ? '' : p.value.slice(eq + 1);
    const count = (min: number): number => {
      const n = integer(val);
      if (n === undefined || n < min) fail(p, `invalid parameter "${p.value}" in "server" directive`);
      return n;
    };
    const duration = (): string => {
      const d = nginxDuration(val);
      if (d === undefined) fail(p, `invalid parameter "${p.value}" in "server" directive`);
      return d;
    };
    switch (key) {
      case 'weight=':
        options.weight = count(1);
        break;
      case 'max_fails=':
        options.maxFails = count(0);
        break;
      case 'fail_timeout=':
        options.failTimeout = duration();
        break;
      case 'max_conns=':
        options.maxConns = count(0);
        break;
      case 'slow_start=':
        options.slowStart = duration();
        break;
      case 'backup':
        if (methodForbidsBackup) fail(p, `balancing method of upstream "${up.name}" does not support parameter "backup"`);
        options.backup = true;
        break;
      case 'down':
        options.down = true;
        break;
      case 'drain':
        options.drain = true;
        break;
      case 'resolve':
        options.resolve = true;
        break;
      case 'route=':
      // Angie names the same value `sid=`.
      case 'sid=':
        if (val === '') fail(p, `invalid parameter "${p.value}" in "server" directive`);
        if (options.route !== undefined) fail(p, `duplicate parameter "${p.value}" in "server" directive`);
        options.route = val;
        break;
      case 'service=':
        if (val === '') fail(p, `invalid parameter "${p.value}" in "server" directive`);
        options.service = val;
        break;
      default:
        fail(p, `invalid parameter "${p.value}" in "server" directive`);
    }
  }
  if (options.service !== undefined && options.resolve !== true) fail(c, 'service name requires the "resolve" parameter');
  if (options.service !== undefined && port !== undefined)
    fail(addrWord, `a port is not allowed with "service=" in "${addrWord.value}" (the SRV records give it)`);
  return { host, port, options, line: c.line, column: c.column };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`. nginx's upstream servers have no scheme and no path. */
function parseAddress(w: WordToken): { host: string; port: string | undefined } {
  const text = w.value;
  // `unix:/path`: the whole text is the server's name (and url), as nginx names it; no port.
  if (text.startsWith('unix:')) {
    if (!text.startsWith('unix:/')) fail(w, `invalid server address "${text}": write unix:/absolute/path`);
    return { host: text, port: undefined };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) fail(w, `invalid server address "${text}": an upstream server has no scheme, write host:port`);
  let host: string;
  let port: string | undefined;
  const v6 = /^(\[[0-9a-fA-F:.]+\])(?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1] as string;
    port = v6[2];
  } else {
    const colon = text.lastIndexOf(':');
    if (colon !== text.indexOf(':')) fail(w, `invalid server address "${text}" (write IPv6 addresses in brackets: [::1]:8000)`);
    host = colon === -1 ? text : text.slice(0, colon);
    port = colon === -1 ? undefined : text.slice(colon + 1);
    if (!/^[A-Za-z0-9_.-]+$/.test(host)) fail(w, `invalid host in server address "${text}"`);
  }
  if (port !== undefined) {
    const n = integer(port);
    if (n === undefined || n < 1 || n > 65535) fail(w, `invalid port in server address "${text}"`);
  }
  return { host, port };
}
