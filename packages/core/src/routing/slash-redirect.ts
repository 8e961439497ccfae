/** @module The `Location` of nginx's slash redirect (`/api` -> `/api/`): relative, or absolute as nginx's `absolute_redirect on` writes it. */
import type { Location, RedirectRequest, RedirectRoute } from '../types.js';

/** A Host value nginx would accept (ngx_http_validate_host): a name or an IPv6 literal, an optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d*)?$/;

/**
 * The `Location` header for a slash redirect. Relative (`/api/?x=1`) unless the location has
 * `absoluteRedirect`; then, as nginx's header filter: `http://` (`https://` on TLS), the host —
 * `serverName` when set (`server_name_in_redirect on`), else the Host header lower-cased without
 * its port (`$host`), else the local address — then `:PORT` of the listening socket unless it is
 * the scheme's default or `port: false` (`port_in_redirect off`). The port of the Host header is
 * never used (nginx writes the one it listens on). A Host nginx would refuse with 400 (a `/`, `@`,
 * spaces...) is not echoed: the local address is written instead.
 */
export function redirectLocation(route: RedirectRoute, request: RedirectRequest): string {
  return absoluteLocation(route.redirect, route.location.absoluteRedirect, request);
}

/** `path` (starting with `/`) as nginx's header filter writes it under `absolute` (relative when undefined). */
export function absoluteLocation(path: string, absolute: Location['absoluteRedirect'], request: RedirectRequest): string {
  if (absolute === undefined) return path;
  let host = absolute.serverName;
  if (host === undefined) {
    const header = request.host?.trim();
    if (header !== undefined && header !== '' && HOST.test(header)) host = stripPort(header.toLowerCase());
    else host = literal(request.localAddress ?? 'localhost');
  }
  const port = request.localPort;
  const standard = request.encrypted ? 443 : 80;
  const withPort = absolute.port && port !== undefined && port !== standard ? `:${port}` : '';
  return `${request.encrypted ? 'https' : 'http'}://${host}${withPort}${path}`;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** An address as a URL host: IPv6 in brackets, IPv4-mapped IPv6 as IPv4. */
function literal(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address.includes(':') ? `[${address}]` : address;
}
