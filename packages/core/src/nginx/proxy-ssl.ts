/** @module nginx's proxy_ssl_* directives: read at http, server or location level (each inherited on its own, as nginx does), then turned into the `tls` of the upstream they reach, with the files read. */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { TlsOptions, TlsVersion } from '../types.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';
import type { Position } from './tokenizer.js';

/** One directive's value; where it was written rides along without taking part in comparisons (JSON). */
export interface SslValue {
  readonly value: string;
  readonly at: Position;
  readonly directive: string;
}

/** The proxy_ssl_* values of one level (or merged), by directive. */
export type SslDirectives = Partial<Record<SslName, SslValue>>;

type SslName = 'trusted' | 'cert' | 'key' | 'password' | 'name' | 'serverName' | 'verify' | 'protocols';

const NAMES: Record<string, SslName> = {
  proxy_ssl_trusted_certificate: 'trusted',
  proxy_ssl_certificate: 'cert',
  proxy_ssl_certificate_key: 'key',
  proxy_ssl_password_file: 'password',
  proxy_ssl_name: 'name',
  proxy_ssl_server_name: 'serverName',
  proxy_ssl_verify: 'verify',
  proxy_ssl_protocols: 'protocols',
};

/** The directives this module maps (the other proxy_ssl_* ones are ignored with a warning). */
export const SSL_DIRECTIVES: ReadonlySet<string> = new Set([...Object.keys(NAMES), 'proxy_ssl_session_reuse']);

const PROTOCOLS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function at(value: string, position: Position, directive: string): SslValue {
  const v = { value } as SslValue;
  Object.defineProperty(v, 'at', { value: { line: position.line, column: position.column }, enumerable: false });
  Object.defineProperty(v, 'directive', { value: directive, enumerable: false });
  return v;
}

/** proxy_ssl_* settings reaching a location that proxies over http: nginx ignores them, and says nothing; we say so once per directive. */
export function warnUnusedSsl(ssl: SslDirectives | undefined, warned: Set<string>, notes: ImportNotes): void {
  for (const v of Object.values(ssl ?? {})) {
    const key = `${v.at.line}:${v.at.column}`;
    if (warned.has(key)) continue;
    warned.add(key);
    notes.ignored(v.at, v.directive, 'it applies to https upstreams only, and the location it reaches proxies over http', 'harmless');
  }
}

/** Apply one proxy_ssl_* directive to `ssl` (the level's); false when it is not one of SSL_DIRECTIVES. */
export function readSslDirective(d: Directive, level: { ssl?: SslDirectives }, notes: ImportNotes): boolean {
  if (!SSL_DIRECTIVES.has(d.name)) return false;
  if (d.block) fail(d, `"${d.name}" cannot have a block`);
  if (d.name === 'proxy_ssl_session_reuse') {
    notes.ignored(
      d,
      `proxy_ssl_session_reuse ${d.args[0]?.value ?? ''}`.trim(),
      'switchyard always resumes TLS sessions with upstreams',
      d.args[0]?.value === 'off' ? 'changes' : 'harmless',
    );
    return true;
  }
  const name = NAMES[d.name] as SslName;
  const ssl = (level.ssl ??= {});
  if (ssl[name] !== undefined) fail(d, `"${d.name}" directive is duplicate`);
  if (name === 'protocols') {
    if (d.args.length === 0) fail(d, `invalid number of arguments in "${d.name}" directive`);
    const listed = d.args.map((a) => {
      if (a.value === 'SSLv2' || a.value === 'SSLv3') return undefined;
      if (!(PROTOCOLS as readonly string[]).includes(a.value)) fail(a, `invalid value "${a.value}" in "${d.name}" directive`);
      return a.value as TlsVersion;
    });
    const oldest = PROTOCOLS.find((p) => listed.includes(p));
    if (oldest === undefined) fail(d, `"${d.name}" lists no protocol Node supports (TLSv1 to TLSv1.3)`);
    ssl.protocols = at(oldest, d, d.name);
    return true;
  }
  const first = d.args[0];
  if (first === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
  if (name === 'serverName' || name === 'verify') {
    if (first.value !== 'on' && first.value !== 'off') fail(first, `invalid value "${first.value}" in "${d.name}" directive, it must be "on" or "off"`);
  }
  ssl[name] = at(first.value, first, d.name);
  return true;
}

/** Parent values, each replaced by the child's when the child level sets it (ngx_conf_merge_* per directive). */
export function mergeSsl(parent: SslDirectives | undefined, child: SslDirectives | undefined): SslDirectives | undefined {
  if (child === undefined) return parent;
  if (parent === undefined) return child;
  return { ...parent, ...child };
}

function readPem(v: SslValue, directive: string, baseDir: string): string {
  if (v.value.includes('$')) fail(v.at, `"${directive}" with variables (${v.value}) is not supported: name the file`);
  const path = resolve(baseDir, v.value);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(v.at, `cannot read "${path}" of "${directive}": ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/**
 * The `tls` of an https upstream from the proxy_ssl_* settings of the locations that reach it.
 * Files are read now (relative paths from `baseDir`, the nginx file's directory). nginx verifies
 * nothing unless `proxy_ssl_verify on`; switchyard verifies by default, which is said once per
 * upstream so an import never silently changes what an upstream accepts.
 */
export function tlsFromSsl(ssl: SslDirectives | undefined, upstream: string, where: Position, baseDir: string, notes: ImportNotes): TlsOptions | undefined {
  const s = ssl ?? {};
  const tls: TlsOptions = {};
  if (s.trusted) tls.ca = readPem(s.trusted, 'proxy_ssl_trusted_certificate', baseDir);
  if (s.cert || s.key) {
    if (!s.key) fail((s.cert as SslValue).at, `no "proxy_ssl_certificate_key" is defined for certificate "${(s.cert as SslValue).value}"`);
    if (!s.cert) fail(s.key.at, '"proxy_ssl_certificate_key" without "proxy_ssl_certificate"');
    tls.cert = readPem(s.cert, 'proxy_ssl_certificate', baseDir);
    tls.key = readPem(s.key, 'proxy_ssl_certificate_key', baseDir);
    if (s.password) {
      const lines = readPem(s.password, 'proxy_ssl_password_file', baseDir)
        .split(/\r?\n/)
        .filter((l) => l !== '');
      if (lines.length > 1) notes.warn(s.password.at, `"proxy_ssl_password_file" has ${lines.length} passphrases; switchyard uses the first`);
      if (lines[0] !== undefined) tls.passphrase = lines[0];
    }
  } else if (s.password) {
    notes.ignored(s.password.at, 'proxy_ssl_password_file', 'there is no proxy_ssl_certificate_key to decrypt', 'harmless');
  }
  if (s.name) {
    const name = s.name.value;
    if (name === '$proxy_host' || name === '$host:$proxy_port') {
      // nginx's default: the proxy_pass host, which is what switchyard checks too.
    } else if (name.includes('$')) {
      notes.ignored(s.name.at, `proxy_ssl_name ${name}`, "nginx variables are not expanded; the server's own host name is sent and checked");
    } else if (isIP(name) !== 0) {
      notes.ignored(s.name.at, `proxy_ssl_name ${name}`, "an IP address cannot be sent as SNI; the certificate is checked against the server's address");
    } else {
      tls.servername = name.replace(/:\d+$/, '');
    }
  }
  if (s.serverName?.value === 'off') {
    notes.warn(
      s.serverName.at,
      `"proxy_ssl_server_name off" ignored (switchyard always sends SNI to upstream "${upstream}": the host name, or proxy_ssl_name)`,
    );
  }
  if (s.protocols) tls.minVersion = s.protocols.value as TlsVersion;
  if (s.verify?.value === 'off') {
    tls.rejectUnauthorized = false;
    notes.warn(
      s.verify.at,
      `proxy_ssl_verify off: the certificates of upstream "${upstream}" are not verified (tls.rejectUnauthorized: false); anyone on the path can impersonate it`,
    );
  } else if (s.verify === undefined) {
    notes.warn(
      where,
      `upstream "${upstream}" is reached over https: switchyard verifies its certificate (nginx does only with "proxy_ssl_verify on"); add proxy_ssl_trusted_certificate for a private CA, or "proxy_ssl_verify off" to keep nginx's behaviour`,
    );
  }
  return Object.keys(tls).length === 0 ? undefined : tls;
}
