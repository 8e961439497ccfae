/** @module Validates an upstream's `protocol` (h1, h2 over TLS, h2c in clear text) against its servers' schemes. */
import type { ResolvedServer, UpstreamProtocol } from '../types.js';
import { describe, fail } from './describe.js';
import { unixSocketPath } from './resolve-unix-url.js';

const PROTOCOLS: readonly UpstreamProtocol[] = ['h1', 'h2', 'h2c'];

/**
 * `h2` is negotiated by TLS ALPN, so it needs https servers; `h2c` is HTTP/2 spoken from the first
 * byte on a plain connection (prior knowledge, RFC 9113 3.3), so it needs http ones. Servers that
 * DNS or `discover` bring later are checked by their own url when they arrive.
 */
export function resolveProtocol(input: unknown, path: string, servers: readonly ResolvedServer[], dynamic: boolean): UpstreamProtocol {
  if (input === undefined) return 'h1';
  if (typeof input !== 'string' || !(PROTOCOLS as readonly string[]).includes(input)) {
    fail(path, `must be one of 'h1', 'h2' (HTTP/2 over TLS), 'h2c' (cleartext HTTP/2), got ${describe(input)}`);
  }
  const protocol = input as UpstreamProtocol;
  if (protocol === 'h1') return protocol;
  for (const [i, s] of servers.entries()) {
    const where = `${path.replace(/\.protocol$/, '')}.servers[${i}]`;
    if (unixSocketPath(s.url) !== undefined && protocol === 'h2')
      fail(where, `is a unix socket: protocol 'h2' needs TLS (https servers); use 'h2c' on a socket`);
    if (protocol === 'h2' && s.url.startsWith('http://'))
      fail(where, `is http://, but protocol 'h2' is HTTP/2 over TLS: write https://, or use protocol 'h2c' for cleartext HTTP/2`);
    if (protocol === 'h2c' && s.url.startsWith('https://'))
      fail(where, `is https://, but protocol 'h2c' is cleartext HTTP/2: write http://, or use protocol 'h2' for HTTP/2 over TLS`);
  }
  void dynamic;
  return protocol;
}
