/** @module Reads one nginx `location [=|^~|~|~*] PATH { ... }` block: its key, its proxy_pass target and its proxy settings. */
import { catastrophicRegex } from '../routing/regex-safety.js';
import type { HealthCheckOptions, LocationKind, RewriteStep } from '../types.js';
import { readFileDirective, readStep, type FileLevel } from './content-directives.js';
import { nginxDuration } from './durations.js';
import { ignoreInProxiedLocation, isOtherPass } from './ignored-directives.js';
import { fail, ImportNotes } from './notes.js';
import { mergeSettings, readProxyDirective, type ProxySettings } from './proxy-settings.js';
import type { Directive } from './syntax-tree.js';
import type { Position, WordToken } from './tokenizer.js';
import { own } from '../config/own.js';
import { mergeRedirect, readRedirectDirective, type RedirectSettings } from './redirect-directives.js';

/** Where `proxy_pass` sends requests: an upstream block, or a host:port nginx would make an implicit pool of. */
export interface ProxyTarget extends Position {
  readonly scheme: 'http' | 'https';
  /** `grpc_pass`: HTTP/2 to the pool (`grpc://` h2c, `grpcs://` h2); absent for proxy_pass (HTTP/1.1). */
  readonly http2?: 'h2' | 'h2c';
  readonly host: string;
  readonly port: string | undefined;
  /** The URI part (`/v1/` in `http://app/v1/`), which makes nginx replace the matched prefix. */
  readonly uri: string | undefined;
}

export interface ImportedLocation extends Position {
  /** The switchyard key: `'= /x'`, `'^~ /s/'`, `'/api/'`, `'~ re'`, `'~* re'`. */
  readonly key: string;
  readonly kind: LocationKind;
  /** The path or regex without the modifier. */
  readonly pattern: string;
  /** Where it proxies; `undefined` for a location that answers itself (`content`). */
  readonly target: ProxyTarget | undefined;
  /** Its rewrite steps and files (root/alias/index/try_files, own over inherited). */
  readonly content: LocationContentImport;
  /** Inherited and own proxy settings, merged. */
  readonly settings: ProxySettings;
  readonly healthCheck: { readonly options: HealthCheckOptions; readonly at: Position } | undefined;
  /** nginx `internal` (own or of an enclosing location). */
  readonly internal: boolean;
  /** Inherited and own redirect settings, merged. */
  readonly redirect: RedirectSettings;
  /** The proxied locations nested in this one, in config order. */
  readonly nested: readonly ImportedLocation[];
}

/** What a location answers itself, as the import keeps it. */
export interface LocationContentImport {
  readonly steps: readonly RewriteStep[];
  readonly root: string | undefined;
  readonly alias: string | undefined;
  readonly index: readonly string[] | undefined;
  readonly tryFiles: readonly string[] | undefined;
  /** It answers requests itself (rewrite steps or files), not only by proxying. */
  readonly answers: boolean;
}

/** The enclosing location of a nested one: what nginx checks a nested location against. */
interface Enclosing {
  readonly key: string;
  readonly kind: LocationKind | 'named';
  readonly pattern: string;
  readonly internal: boolean;
}

/** A location's key, as nginx reads `location` arguments (ngx_http_core_location). */
export function locationKey(d: Directive): { key: string; kind: LocationKind | 'named'; pattern: string } {
  const [first, second, extra] = d.args;
  if (first === undefined || extra !== undefined) fail(d, 'invalid number of arguments in "location" directive');
  if (second !== undefined) {
    const mods: Record<string, LocationKind> = { '=': 'exact', '^~': 'prefix-priority', '~': 'regex', '~*': 'regex-i' };
    const kind = own(mods, first.value);
    if (kind === undefined) fail(first, `invalid location modifier "${first.value}"`);
    if (kind === 'regex' || kind === 'regex-i') checkRegex(second, second.value, kind);
    return { key: `${first.value} ${second.value}`, kind, pattern: second.value };
  }
  // nginx also accepts the modifier glued to the path: "=/x", "~re", "~*re" (but not "^~/x").
  const v = first.value;
  if (v.startsWith('=') && v.length > 1) return { key: `= ${v.slice(1)}`, kind: 'exact', pattern: v.slice(1) };
  if (v.startsWith('~*') && v.length > 2) {
    checkRegex(first, v.slice(2), 'regex-i');
    return { key: `~* ${v.slice(2)}`, kind: 'regex-i', pattern: v.slice(2) };
  }
  if (v.startsWith('~') && v.length > 1) {
    checkRegex(first, v.slice(1), 'regex');
    return { key: `~ ${v.slice(1)}`, kind: 'regex', pattern: v.slice(1) };
  }
  if (v === '=' || v === '~' || v === '~*' || v === '^~') fail(first, `location "${v}" has no path`);
  if (v.startsWith('@')) return { key: v, kind: 'named', pattern: v };
  return { key: v, kind: 'prefix', pattern: v };
}

/** nginx regexes are PCRE; the few PCRE-only forms (possessive `a++`, `\\Z`...) JavaScript rejects are reported here, with their position. */
function checkRegex(at: WordToken, pattern: string, kind: 'regex' | 'regex-i'): void {
  try {
    new RegExp(pattern, kind === 'regex-i' ? 'i' : '');
  } catch (err) {
    fail(at, `location regex "${pattern}" is not valid in JavaScript: ${(err as Error).message}`);
  }
  const unsafe = catastrophicRegex(pattern, kind === 'regex-i');
  if (unsafe !== undefined) fail(at, `location regex "${pattern}" can take exponential time on a crafted path (JavaScript has no PCRE match limit): ${unsafe}`);
}

/**
 * Read a location block and the locations nested in it (nginx's rules: none inside an exact or
 * a named location, a named one only at server level, a nested prefix within its parent's; what
 * a nested location does not set it inherits, `proxy_pass` excepted). Returns `undefined` (and one
 * warning) for a location that does not proxy: it is left out, so its requests are matched by the
 * other locations (a nested one: by its enclosing location, see the warning). Warnings about directives inside such
 * a location are not repeated one by one; a location switchyard does not proxy may not hold
 * proxied ones (their matching depends on it).
 */
export function readLocation(
  d: Directive,
  inherited: ProxySettings,
  notes: ImportNotes,
  redirect: RedirectSettings = {},
  parent?: Enclosing,
  files: FileLevel = {},
  names: ReadonlySet<string> = new Set(),
): ImportedLocation | undefined {
  const { key, kind, pattern } = locationKey(d);
  if (!d.block) fail(d, `"location ${key}" needs a { ... } block`);
  if (kind !== 'named' && pattern === '') fail(d, 'empty location path');
  if (parent !== undefined) checkNesting(d, { key, kind, pattern }, parent);
  const own: ProxySettings = {};
  const ownRedirect: RedirectSettings = {};
  const local = new ImportNotes();
  let target: ProxyTarget | undefined;
  const steps: RewriteStep[] = [];
  const ownFiles: { root?: string; alias?: string; index?: string[]; tryFiles?: string[] } = {};
  let healthCheck: ImportedLocation['healthCheck'];
  let internal = parent?.internal === true;
  const nestedBlocks: Directive[] = [];

  for (const c of d.block) {
    if (c.name === 'location') {
      nestedBlocks.push(c);
      continue;
    }
    if (c.name === 'internal') {
      if (c.args.length !== 0 || c.block) fail(c, 'invalid number of arguments in "internal" directive');
      internal = true;
      continue;
    }
    if (readRedirectDirective(c, ownRedirect, local)) continue;
    if (readProxyDirective(c, own, local)) continue;
    if (isOtherPass(c.name)) fail(c, `"${c.name}" is not supported: switchyard proxies HTTP only`);
    switch (c.name) {
      case 'proxy_pass':
      case 'grpc_pass': {
        if (target) fail(c, `"${c.name}" directive is duplicate`);
        if (c.block) fail(c, `"${c.name}" cannot have a block`);
        const w = c.args[0];
        if (w === undefined || c.args.length !== 1) fail(c, `invalid number of arguments in "${c.name}" directive`);
        target = c.name === 'grpc_pass' ? parseGrpcPass(w) : parseProxyPass(w);
        if (target.uri !== undefined && (kind === 'regex' || kind === 'regex-i' || kind === 'named')) {
          fail(w, `"proxy_pass" cannot have URI part in location given by regular expression, or inside named location`);
        }
        break;
      }
      case 'if':
        if (containsProxyPass(c))
          fail(
            c,
            '"proxy_pass" inside "if" is not supported: switchyard does not proxy from inside a condition (proxy in the location, and rewrite or return in the if)',
          );
        steps.push(readStep(c, names, false));
        break;
      case 'return':
      case 'rewrite':
      case 'set':
      case 'break':
        steps.push(readStep(c, names, false));
        break;
      case 'root':
      case 'alias':
      case 'index':
      case 'try_files':
        if (c.name === 'alias' && kind === 'named') fail(c, '"alias" directive is not allowed here');
        readFileDirective(c, ownFiles, names, files.resolvePath);
        break;
      case 'health_check':
        healthCheck = { options: readHealthCheck(c, local), at: c };
        break;
      default:
        if (containsProxyPass(c)) fail(c, `"proxy_pass" inside "${c.name}" is not supported`);
        // Kept only when the location proxies (else its one warning replaces these).
        ignoreInProxiedLocation(local, c, c.name);
    }
  }
  const settings = mergeSettings(inherited, own);
  const redirects = mergeRedirect(redirect, ownRedirect);
  const here: Enclosing = { key, kind, pattern, internal };
  // root/index are inherited by nested locations (alias is not: it names this prefix's directory); try_files is
  // not (ngx_http_try_files_module has no merge: a nested or server-level one never reaches a location).
  const level: FileLevel = {
    root: ownFiles.alias !== undefined ? undefined : (ownFiles.root ?? files.root),
    index: ownFiles.index ?? files.index,
    tryFiles: ownFiles.tryFiles,
    ...(files.resolvePath !== undefined ? { resolvePath: files.resolvePath } : {}),
  };
  const nested: ImportedLocation[] = [];
  for (const c of nestedBlocks) {
    const loc = readLocation(c, settings, local, redirects, here, level, names);
    if (loc !== undefined) nested.push(loc);
  }
  const root = ownFiles.alias !== undefined ? undefined : level.root;
  const hasFiles = ownFiles.alias !== undefined || root !== undefined;
  const content: LocationContentImport = {
    steps,
    root,
    alias: ownFiles.alias,
    index: level.index,
    tryFiles: level.tryFiles,
    answers: steps.length > 0 || (target === undefined && hasFiles),
  };
  if (target === undefined && steps.length === 0 && !hasFiles) {
    const says = level.tryFiles !== undefined || level.index !== undefined ? 'serves files but has no root or alias' : 'neither proxies nor answers itself';
    // nginx would serve files from its compiled-in default root ("html" under its prefix).
    notes.warn(
      d,
      kind === 'named'
        ? `location ${key} ${says}: nginx would serve files from its default root, which switchyard does not know; it is left out, and a try_files or error_page naming it is an error (give it a root)`
        : parent === undefined
          ? `location ${key} ${says}: nginx would serve files from its default root, which switchyard does not know; it is left out, so its requests are matched by the other locations (give it a root)`
          : `location ${key} ${says}; switchyard drops it, so its requests go to the enclosing "location ${parent.key}"`,
    );
    return undefined;
  }
  if (target !== undefined && level.tryFiles !== undefined) {
    fail(
      d,
      `"try_files" in proxied "location ${key}"${ownFiles.tryFiles === undefined ? ' (inherited)' : ''} is not supported (nginx would proxy the URI of the file it found): proxy from a named location given as try_files' last entry`,
    );
  }
  notes.absorb(local);
  return { key, kind, pattern, target, content, settings, healthCheck, internal, redirect: redirects, nested, line: d.line, column: d.column, file: d.file };
}

/** ngx_http_core_location's checks of a nested location. */
function checkNesting(d: Directive, loc: { key: string; kind: LocationKind | 'named'; pattern: string }, parent: Enclosing): void {
  if (parent.kind === 'exact') fail(d, `location "${loc.pattern}" cannot be inside the exact location "${parent.pattern}"`);
  if (parent.kind === 'named') fail(d, `location "${loc.pattern}" cannot be inside the named location "${parent.pattern}"`);
  if (loc.kind === 'named') fail(d, `named location "${loc.pattern}" can be on the server level only`);
  // nginx compares the names as text, whatever the parent's kind.
  if (loc.kind !== 'regex' && loc.kind !== 'regex-i' && !loc.pattern.startsWith(parent.pattern)) {
    fail(d, `location "${loc.pattern}" is outside location "${parent.pattern}"`);
  }
}

function containsProxyPass(d: Directive): boolean {
  return (d.block ?? []).some((c) => c.name === 'proxy_pass' || c.name === 'grpc_pass' || containsProxyPass(c));
}

/**
 * `grpc_pass [grpc://|grpcs://]NAME[:PORT];` (ngx_http_grpc_module): HTTP/2 to the pool, cleartext
 * (h2c) for `grpc://` or no scheme, TLS (h2) for `grpcs://`. No URI part: gRPC paths are the method's.
 */
export function parseGrpcPass(w: WordToken): ProxyTarget {
  const m = /^(grpcs?):\/\/(.*)$/i.exec(w.value);
  const tls = m !== null && (m[1] as string).toLowerCase() === 'grpcs';
  const rest = m === null ? w.value : (m[2] as string);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest) || (m === null && w.value.includes('://')))
    fail(w, `invalid URL prefix in "${w.value}": grpc_pass takes grpc:// or grpcs://`);
  const target = parseProxyPass({ ...w, value: `${tls ? 'https' : 'http'}://${rest}` });
  if (target.uri !== undefined) fail(w, `invalid URI part in "${w.value}": grpc_pass takes no URI`);
  return { ...target, http2: tls ? 'h2' : 'h2c' };
}

/** `http://NAME[:PORT][/URI]` without variables: nginx resolves such a target when it reads the config. */
export function parseProxyPass(w: WordToken): ProxyTarget {
  const text = w.value;
  const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(text);
  if (!m) fail(w, `invalid URL prefix in "${text}": proxy_pass takes http:// or https://`);
  const scheme = (m[1] as string).toLowerCase() as 'http' | 'https';
  const hostPort = m[2] as string;
  const rest = m[3] as string;
  if (text.includes('$')) fail(w, `"proxy_pass ${text}" uses nginx variables, which switchyard cannot resolve per request`);
  if (hostPort.toLowerCase().startsWith('unix:')) fail(w, `UNIX-domain socket targets ("${text}") are not supported`);
  let host: string;
  let port: string | undefined;
  const v6 = /^(\[[0-9a-fA-F:.]+\])(?::(.*))?$/.exec(hostPort);
  if (v6) {
    host = v6[1] as string;
    port = v6[2];
  } else {
    const parts = hostPort.split(':');
    if (parts.length > 2) fail(w, `invalid host in "${text}"`);
    host = parts[0] as string;
    port = parts[1];
    if (!/^[A-Za-z0-9_.-]+$/.test(host)) fail(w, `invalid host in "${text}"`);
  }
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) fail(w, `invalid port in "${text}"`);
  if (rest !== '' && !rest.startsWith('/')) fail(w, `invalid URI part in "${text}"`);
  return { scheme, host, port, uri: rest === '' ? undefined : rest, line: w.line, column: w.column };
}

/** NGINX Plus `health_check [interval=T] [fails=N] [passes=N] [uri=U] [mandatory] ...` for the location's upstream. */
function readHealthCheck(d: Directive, notes: ImportNotes): HealthCheckOptions {
  const out: HealthCheckOptions = {};
  for (const a of d.args) {
    const eq = a.value.indexOf('=');
    const key = eq === -1 ? a.value : a.value.slice(0, eq);
    const val = eq === -1 ? '' : a.value.slice(eq + 1);
    const count = (): number => {
      if (!/^\d+$/.test(val) || Number(val) < 1) fail(a, `invalid parameter "${a.value}" in "health_check" directive`);
      return Number(val);
    };
    switch (key) {
      case 'interval': {
        const dur = nginxDuration(val);
        if (dur === undefined) fail(a, `invalid parameter "${a.value}" in "health_check" directive`);
        out.interval = dur;
        break;
      }
      case 'fails':
        out.fails = count();
        break;
      case 'passes':
        out.passes = count();
        break;
      case 'uri':
        if (!val.startsWith('/')) fail(a, `invalid parameter "${a.value}" in "health_check" directive`);
        out.path = val;
        break;
      case 'mandatory':
        out.mandatory = true;
        break;
      case 'type':
        fail(a, `"health_check ${a.value}" is not supported: switchyard probes over HTTP`);
      case 'jitter':
      case 'persistent':
      case 'match':
      case 'port':
      case 'keepalive_time':
        notes.warn(a, `"health_check ${key}" ignored (not supported by switchyard's health checks)`);
        break;
      default:
        fail(a, `invalid parameter "${a.value}" in "health_check" directive`);
    }
  }
  return out;
}
