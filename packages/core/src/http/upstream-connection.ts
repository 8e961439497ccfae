/** @module How to reach a server with node:http / node:https / node:tls: address or unix socket, plus the TLS settings, the same for requests, WebSockets and health probes. */
import { isIP } from 'node:net';
import type { ServerInfo, TlsVersion } from '../types.js';

/** Options for `tls.connect`, `https.request` and `https.Agent` (all read the same names). */
export interface UpstreamTlsOptions {
  ca?: Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  /**
   * SNI and the name the certificate is checked against; `''` (no SNI, the certificate is checked
   * against the IP address) for an IP without `tls.servername`. Always set: Node would otherwise
   * take it from the request's Host header, which `preserveHost` leaves to the client.
   */
  servername: string;
  rejectUnauthorized: boolean;
  minVersion?: TlsVersion;
}

/** Where to connect: host and port, or a unix socket. */
export interface UpstreamAddress {
  hostname: string;
  port: number;
  socketPath?: string;
}

/**
 * The TLS settings of an https server as connection options. Verification is on unless the
 * configuration turned it off; the name checked is the configured `servername`, else the DNS
 * name a resolved address came from, else the url's host name (never the client's Host header, even with `preserveHost`).
 */
export function upstreamTlsOptions(server: ServerInfo): UpstreamTlsOptions {
  const tls = server.tls;
  const out: UpstreamTlsOptions = {
    rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    // A resolved address is checked against the name it came from (nginx's proxy_ssl_name default, $proxy_host).
    servername: tls?.servername ?? server.name ?? (isIP(server.hostname) === 0 ? server.hostname : ''),
  };
  if (tls === undefined) return out;
  if (tls.ca !== undefined) out.ca = [...tls.ca];
  if (tls.cert !== undefined) out.cert = tls.cert;
  if (tls.key !== undefined) out.key = tls.key;
  if (tls.passphrase !== undefined) out.passphrase = tls.passphrase;
  if (tls.minVersion !== undefined) out.minVersion = tls.minVersion;
  return out;
}

/** The address part of node:http request options (`socketPath` for `unix:` servers). */
export function upstreamAddress(server: ServerInfo): UpstreamAddress {
  return server.socketPath === undefined
    ? { hostname: server.hostname, port: server.port }
    : { hostname: server.hostname, port: server.port, socketPath: server.socketPath };
}

/** Everything node:http / node:https request options need to reach `server` (TLS options only for https). */
export function upstreamRequestOptions(server: ServerInfo): UpstreamAddress & Partial<UpstreamTlsOptions> {
  const address = upstreamAddress(server);
  return server.protocol === 'https:' ? { ...address, ...upstreamTlsOptions(server) } : address;
}
