/**
 * @module What the admin API may add (`admin.allow`): by default anything but unix sockets and
 * link-local / cloud metadata addresses (169.254.169.254 and friends); with a list, only what it
 * names (CIDR ranges, addresses, host names with an optional `*.` wildcard, `unix:` path prefixes).
 */
import { BlockList, isIP } from 'node:net';
import { describe, fail } from '../config/describe.js';

/** A checked `admin.allow`: undefined means the default refusals. */
export interface AdminAllow {
  readonly ranges: BlockList;
  /** Exact host names, lower case. */
  readonly hosts: ReadonlySet<string>;
  /** `*.internal` as `.internal`. */
  readonly suffixes: readonly string[];
  /** `unix:/run/app/` as `/run/app/`; `unix:` alone as `/`. */
  readonly socketPrefixes: readonly string[];
}

/** Never added through the admin API unless `admin.allow` names them: where a server-side request forgery aims first. */
const DEFAULT_REFUSED = new BlockList();
DEFAULT_REFUSED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: AWS, GCP, Azure, OpenStack metadata at 169.254.169.254
DEFAULT_REFUSED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
DEFAULT_REFUSED.addSubnet('fe80::', 10, 'ipv6'); // IPv6 link-local
DEFAULT_REFUSED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
DEFAULT_REFUSED.addAddress('0.0.0.0', 'ipv4');
DEFAULT_REFUSED.addAddress('::', 'ipv6');
const DEFAULT_REFUSED_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

const compiled = new WeakMap<object, AdminAllow>();

/** The compiled `admin.allow` of a resolved `admin` option (undefined: the default refusals). */
export function allowOf(admin: object): AdminAllow | undefined {
  return compiled.get(admin);
}

/** Keeps the compiled list beside the resolved option (which shows the list as written). */
export function rememberAllow(admin: object, allow: AdminAllow | undefined): void {
  if (allow !== undefined) compiled.set(admin, allow);
}

/** `admin.allow`: a non-empty array of strings, each checked and named on error. */
export function resolveAdminAllow(input: unknown, path: string): AdminAllow | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input) || input.length === 0) {
    fail(path, `must be a non-empty array of what the admin API may add ('10.0.0.0/8', '10.1.2.3', '*.internal', 'unix:/run/app/'), got ${describe(input)}`);
  }
  const ranges = new BlockList();
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const socketPrefixes: string[] = [];
  input.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof entry !== 'string' || entry.trim() === '') fail(at, `must be a non-empty string, got ${describe(entry)}`);
    const text = entry.trim().toLowerCase();
    if (text.startsWith('unix:')) {
      const prefix = entry.trim().slice('unix:'.length) || '/';
      if (!prefix.startsWith('/')) fail(at, `must be 'unix:' followed by an absolute path prefix ('unix:/run/app/'), got ${describe(entry)}`);
      socketPrefixes.push(prefix);
      return;
    }
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(text);
    const ip = cidr !== null ? cidr[1]! : text.replace(/^\[(.*)\]$/, '$1');
    const family = isIP(ip);
    if (family !== 0) {
      const bits = cidr !== null ? Number(cidr[2]) : family === 4 ? 32 : 128;
      if (bits > (family === 4 ? 32 : 128)) fail(at, `has a prefix length above ${family === 4 ? 32 : 128}, got ${describe(entry)}`);
      ranges.addSubnet(ip, bits, family === 4 ? 'ipv4' : 'ipv6');
      return;
    }
    if (cidr !== null) fail(at, `must be a CIDR range of an IP address ('10.0.0.0/8'), got ${describe(entry)}`);
    const wildcard = text.startsWith('*.');
    const name = wildcard ? text.slice(2) : text;
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
      fail(at, `must be a CIDR range, an address, a host name ('api.internal', '*.internal') or 'unix:/path/', got ${describe(entry)}`);
    }
    if (wildcard) suffixes.push(`.${name}`);
    else hosts.add(name);
  });
  return Object.freeze({ ranges, hosts, suffixes: Object.freeze(suffixes), socketPrefixes: Object.freeze(socketPrefixes) });
}

/** Why the admin API may not add `url` (a stored server url, already validated), or undefined when it may. */
export function adminAddRefusal(allow: AdminAllow | undefined, url: string): string | undefined {
  if (url.startsWith('unix:')) {
    const socket = url.slice('unix:'.length);
    if (allow?.socketPrefixes.some((p) => socket.startsWith(p)) === true) return undefined;
    return allow === undefined
      ? 'unix sockets are not added through the admin API unless admin.allow lists them (unix:/path/)'
      : 'the socket is not under a unix: prefix of admin.allow';
  }
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  const address = family === 6 ? (mappedIpv4(host) ?? host) : host;
  const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
  if (allow === undefined) {
    if (family !== 0 && DEFAULT_REFUSED.check(address, type))
      return `${address} is a link-local, unspecified or cloud metadata address: list it in admin.allow to add it`;
    if (family === 0 && DEFAULT_REFUSED_HOSTS.has(host)) return `${host} is a cloud metadata name: list it in admin.allow to add it`;
    return undefined;
  }
  if (family !== 0) return allow.ranges.check(address, type) ? undefined : `${address} is not in admin.allow`;
  if (allow.hosts.has(host) || allow.suffixes.some((s) => host.endsWith(s))) return undefined;
  return `${host} is not in admin.allow`;
}

/** `::ffff:a9fe:a9fe` (how the url parser writes `::ffff:169.254.169.254`) as `169.254.169.254`. */
function mappedIpv4(v6: string): string | undefined {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v6) ?? undefined;
  if (m !== undefined) {
    const hi = parseInt(m[1]!, 16);
    const lo = parseInt(m[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  return dotted?.[1];
}
