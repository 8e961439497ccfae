/** @module ServerInfo and the hash-ring name of a server url, computed once when the server joins a pool. */
import type { ResolvedTls, ServerInfo } from '../types.js';
import { unixSocketPath } from '../config/resolve-unix-url.js';

/** The authority exactly as written in the url (`h:80` stays `h:80`), as nginx keeps `server h:80;`. */
export function writtenAuthority(url: string): string {
  // nginx names a unix server `unix:/path`, and hashes that whole name (no port).
  if (url.startsWith('unix:')) return url;
  const scheme = url.indexOf('://');
  let rest = scheme >= 0 ? url.slice(scheme + 3) : url;
  const end = rest.search(/[/?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  const at = rest.lastIndexOf('@');
  return at >= 0 ? rest.slice(at + 1) : rest;
}

/**
 * nginx ngx_http_upstream_init_chash's split of a server name into host and port: trailing digits after
 * the last ':' are the port; otherwise the whole name is the host and the port is empty.
 */
export function ringHostPort(name: string): { host: string; port: string } {
  for (let j = 0; j < name.length; j++) {
    const c = name.charCodeAt(name.length - j - 1);
    if (c === 58 /* : */) return { host: name.slice(0, name.length - j - 1), port: name.slice(name.length - j) };
    if (c < 48 || c > 57) break;
  }
  return { host: name, port: '' };
}

/** Where a server is used: its upstream's name (the Host of unix servers) and the TLS settings in force. */
export interface ServerContext {
  readonly upstream?: string;
  readonly tls?: ResolvedTls | undefined;
  /** The DNS name a resolved address came from (kept for SNI and the certificate check). */
  readonly name?: string | undefined;
  /** The Host header to send instead of the url's authority (a resolved address sends its name). */
  readonly host?: string | undefined;
  /** The upstream's `protocol` is h2 or h2c. */
  readonly http2?: boolean | undefined;
}

/** Parse a server url (already validated by the config code) into what adapters need to connect. */
export function serverInfo(url: string, backup: boolean, context: ServerContext = {}): ServerInfo {
  const socketPath = unixSocketPath(url);
  if (socketPath !== undefined) {
    // nginx sends `Host: <upstream name>` through `proxy_pass http://<upstream>` whatever the
    // server's address, and `localhost` when proxy_pass names the socket itself.
    return Object.freeze({
      url,
      origin: 'http://localhost',
      protocol: 'http:',
      hostname: 'localhost',
      port: 80,
      host: context.upstream ?? 'localhost',
      basePath: '',
      backup,
      socketPath,
      // h2c on a unix socket (h2 there is refused by the config checks).
      ...(context.http2 === true ? { http2: true as const } : {}),
    });
  }
  const u = new URL(url);
  const protocol = u.protocol === 'https:' ? 'https:' : 'http:';
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(u.port);
  const basePath = u.pathname.replace(/\/+$/, '');
  return Object.freeze({
    url,
    origin: `${protocol}//${u.host}`,
    protocol,
    hostname,
    port,
    // nginx $proxy_host: the default port is left out (ngx_http_proxy_set_vars).
    host: context.host ?? u.host,
    basePath,
    backup,
    ...(protocol === 'https:' && context.tls !== undefined ? { tls: context.tls } : {}),
    // A resolved address keeps its name for TLS (SNI, certificate check).
    ...(context.name !== undefined ? { name: context.name } : {}),
    ...(context.http2 === true ? { http2: true as const } : {}),
  });
}
