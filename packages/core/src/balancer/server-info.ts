/** @module ServerInfo and the hash-ring name of a server url, computed once when the server joins a pool. */
import type { ServerInfo } from '../types.js';

/** The authority exactly as written in the url (`h:80` stays `h:80`), as nginx keeps `server h:80;`. */
export function writtenAuthority(url: string): string {
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

/** Parse a server url (already validated by the config code) into what adapters need to connect. */
export function serverInfo(url: string, backup: boolean, name?: string, hostHeader?: string): ServerInfo {
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
    host: hostHeader ?? u.host,
    basePath,
    backup,
    // A resolved address keeps its name for TLS (SNI, certificate check).
    ...(name !== undefined ? { name } : {}),
  });
}
