/** @module Server list entries with `resolve`/`service` (nginx `server name resolve service=...`): split into fixed servers and names to look up. */
import { isIP } from 'node:net';
import type { ResolvedServer, ResolvedServerName } from '../types.js';
import { describe, fail, isPlainObject, optionalBoolean } from '../config/describe.js';
import { resolveServer } from '../config/resolve-server.js';

export interface ServerList {
  readonly servers: readonly ResolvedServer[];
  readonly names: readonly ResolvedServerName[];
}

/**
 * One entry: a fixed server, or (with `resolve: true`) a name whose addresses become servers.
 * `service` needs `resolve` and a url without a port (the port comes from the SRV records), as nginx.
 */
export function resolveServerEntry(input: unknown, path: string): ResolvedServer | ResolvedServerName {
  if (!isPlainObject(input) || (input.resolve === undefined && input.service === undefined)) return resolveServer(input, path);
  const { resolve, service, ...rest } = input;
  const dynamic = optionalBoolean(resolve, `${path}.resolve`, false);
  if (service !== undefined && (typeof service !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(service) || service.endsWith('.'))) {
    fail(`${path}.service`, `must be an SRV service name like 'http' or '_http._tcp', got ${describe(service)}`);
  }
  if (service !== undefined && !dynamic) fail(`${path}.service`, 'needs resolve: true (as nginx `service=` needs `resolve`)');
  const template = resolveServer(rest, path);
  if (!dynamic) return template;
  const u = new URL(template.url);
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  // An address needs no lookup: nginx accepts `resolve` on it and uses the address as it is.
  if (isIP(hostname) !== 0) {
    if (service !== undefined) fail(`${path}.url`, `must name a host (not an address) with service, got ${describe(rest.url)}`);
    return template;
  }
  let srv: string | undefined;
  if (service !== undefined) {
    if (u.port !== '' || /:\d*$/.test(authorityOf(template.url)))
      fail(`${path}.url`, `must not have a port with service (the SRV records give it), got ${describe(rest.url)}`);
    // nginx: a name with a dot (or starting with `_`) is the whole prefix; otherwise `_service._tcp`.
    srv = service.includes('.') || service.startsWith('_') ? `${service}.${hostname}` : `_${service}._tcp.${hostname}`;
  }
  return Object.freeze({ path, template, hostname, srv });
}

/** A server list (config `servers` or a `discover` update): fixed servers, names, no url twice. */
export function resolveServerList(input: readonly unknown[], path: string, allowNames: boolean): ServerList {
  const servers: ResolvedServer[] = [];
  const names: ResolvedServerName[] = [];
  const seen = new Map<string, number>();
  input.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const resolved = resolveServerEntry(entry, at);
    const url = 'template' in resolved ? resolved.template.url : resolved.url;
    const first = seen.get(url);
    if (first !== undefined) fail(at, `repeats the url ${url} of ${path}[${first}]`);
    seen.set(url, i);
    if ('template' in resolved) {
      if (!allowNames) fail(`${at}.resolve`, 'is not supported here: give the addresses themselves');
      names.push(resolved);
    } else {
      servers.push(resolved);
    }
  });
  return { servers, names };
}

function authorityOf(url: string): string {
  const rest = url.slice(url.indexOf('://') + 3);
  const end = rest.search(/[/?#]/);
  return end >= 0 ? rest.slice(0, end) : rest;
}
