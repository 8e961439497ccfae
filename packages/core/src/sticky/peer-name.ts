/** @module The sticky value of a server: its `route`, else the MD5 of its address as nginx names the peer. */
import { createHash } from 'node:crypto';

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * The peer's name as nginx writes it (`ngx_addr_t.name`): `127.0.0.1:8001`, `[::1]:8001`, and for a
 * unix socket the url as written after `server`, `unix:/run/app.sock`. The port is always present
 * (nginx fills in 80/443). A host name stays a name here: nginx would name the resolved address,
 * so give servers `route` values when names and addresses differ and bindings must carry over.
 * The single place that decides, so every server kind (resolved, discovered, unix) agrees.
 */
export function stickyPeerName(url: string): string {
  if (/^unix:/i.test(url)) return url;
  const u = new URL(url);
  return `${u.hostname}:${u.port === '' ? (DEFAULT_PORT[u.protocol] ?? '') : u.port}`;
}

/** nginx's sticky id (`peer->sid`): the `route`, or the lowercase hex MD5 of the peer name. */
export function stickyServerId(url: string, route: string | undefined): string {
  if (route !== undefined) return route;
  return createHash('md5').update(stickyPeerName(url)).digest('hex');
}
