/** @module Validation of `resolver` options (top level and per upstream, nginx's `resolver` / `resolver_timeout`). */
import { Resolver } from 'node:dns';
import { isIP } from 'node:net';
import type { ResolvedResolver } from '../types.js';
import { checkKeys, describe, expectObject, fail, optionalBoolean } from '../config/describe.js';
import { optionalDuration, timerDuration } from '../config/duration.js';

const RESOLVER_KEYS = ['servers', 'valid', 'timeout', 'ipv4', 'ipv6'] as const;

/** nginx's resolver_timeout is 30s; 5s keeps `ready()` (and requests held at start) short. */
export const DEFAULT_RESOLVER_TIMEOUT_MS = 5000;

export const DEFAULT_RESOLVER: ResolvedResolver = Object.freeze({
  servers: undefined,
  validMs: 0,
  timeoutMs: DEFAULT_RESOLVER_TIMEOUT_MS,
  ipv4: true,
  ipv6: true,
});

/**
 * `{ servers?, valid?, timeout?, ipv4?, ipv6? }` field by field over `base` (an upstream's over the
 * top level's). Server addresses are checked by node:dns's own `setServers`, naming the entry.
 */
export function resolveResolverOptions(input: unknown, path: string, base: ResolvedResolver = DEFAULT_RESOLVER): ResolvedResolver {
  if (input === undefined) return base;
  const obj = expectObject(input, path, 'an object { servers?, valid?, timeout?, ipv4?, ipv6? }');
  checkKeys(obj, RESOLVER_KEYS, path);
  let servers = base.servers;
  if (obj.servers !== undefined) {
    if (!Array.isArray(obj.servers) || obj.servers.length === 0) {
      fail(`${path}.servers`, `must be a non-empty array of DNS server addresses ('10.0.0.2', '127.0.0.1:5353'), got ${describe(obj.servers)}`);
    }
    servers = obj.servers.map((entry: unknown, i) => {
      const at = `${path}.servers[${i}]`;
      if (typeof entry !== 'string' || entry.trim() === '')
        fail(at, `must be an IP address with an optional port ('10.0.0.2', '127.0.0.1:5353', '[::1]:53'), got ${describe(entry)}`);
      if (!validServer(entry.trim()))
        fail(at, `must be an IP address with an optional port ('10.0.0.2', '127.0.0.1:5353', '[::1]:53'), got ${describe(entry)}`);
      return entry.trim();
    });
    servers = Object.freeze(servers);
  }
  const validMs = optionalDuration(obj.valid, `${path}.valid`, base.validMs);
  const timeoutMs = timerDuration(obj.timeout, `${path}.timeout`, base.timeoutMs);
  if (timeoutMs <= 0) fail(`${path}.timeout`, `must be a positive duration, got ${describe(obj.timeout)}`);
  const ipv4 = optionalBoolean(obj.ipv4, `${path}.ipv4`, base.ipv4);
  const ipv6 = optionalBoolean(obj.ipv6, `${path}.ipv6`, base.ipv6);
  if (!ipv4 && !ipv6) fail(`${path}.ipv6`, 'cannot be false together with ipv4 (nothing would be looked up)');
  return Object.freeze({ servers, validMs, timeoutMs, ipv4, ipv6 });
}

/** `10.0.0.2`, `10.0.0.2:53`, `::1`, `[::1]:53`, and node:dns must accept it too. */
function validServer(text: string): boolean {
  let ip = text;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4 = /^([^:]+):(\d+)$/.exec(text);
  if (v6 !== null) [ip, port] = [v6[1]!, v6[2]];
  else if (v4 !== null) [ip, port] = [v4[1]!, v4[2]];
  if (isIP(ip) === 0) return false;
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) return false;
  try {
    new Resolver().setServers([text]);
    return true;
  } catch {
    return false;
  }
}
