/** @module Virtual hosts: the server scope a request's Host picks, each with its own location router. */
import type { Location, ResolvedConfig, SiteMatch } from '../../types.js';
import { createRouter, type Router } from '../router.js';
import { returnAnswer } from './return-answer.js';
import { createServerNameTable, normalizeHost } from './server-names.js';

/** `sy.match` with the Host: the locations of the virtual host it picks. */
export interface HostRouter {
  match(method: string, url: string, host?: string, scheme?: 'http' | 'https'): SiteMatch | undefined;
  /** The router of the virtual host a location belongs to (an X-Accel-Redirect is matched there); the first one for a location of none (proxyTo). */
  routerOf(location: Location): Router;
}

const ABSOLUTE_HOST = /^https?:\/\/([^/?#]*)/i;

/**
 * The router of a configuration: with `servers`, nginx's server_name lookup picks the scope (the
 * host of an absolute request target wins over the Host header, as in nginx; no host gives the
 * default server), then that scope answers its `return` or matches its own locations. Without
 * `servers` it is the single-site router of `config.locations`, and the host is not looked at.
 */
export function createHostRouter(config: Pick<ResolvedConfig, 'locations' | 'servers'>): HostRouter {
  const servers = config.servers;
  if (servers === undefined || servers.length === 0) {
    const router = createRouter(config.locations);
    return { match: (method, url) => router.match(method, url), routerOf: () => router };
  }
  const routers: Router[] = servers.map((s) => createRouter(s.locations));
  const owner = new WeakMap<Location, Router>();
  const own = (locations: readonly Location[], router: Router): void => {
    for (const l of locations) {
      owner.set(l, router);
      if (l.locations !== undefined) own(l.locations, router);
    }
  };
  servers.forEach((s, i) => own(s.locations, routers[i] as Router));
  const defaultIndex = Math.max(
    0,
    servers.findIndex((s) => s.default),
  );
  const table = createServerNameTable(
    servers.map((s) => s.names),
    defaultIndex,
  );
  return {
    match(method, url, host, scheme = 'http') {
      const fromTarget = typeof url === 'string' ? ABSOLUTE_HOST.exec(url)?.[1] : undefined;
      const name = normalizeHost(fromTarget !== undefined && fromTarget !== '' ? fromTarget : host);
      const index = table.pick(name);
      const server = servers[index]!;
      if (server.return !== undefined) {
        return returnAnswer(server.return, { url, host: name, serverName: server.names[0] ?? '', scheme });
      }
      return routers[index]!.match(method, url);
    },
    routerOf: (location) => owner.get(location) ?? (routers[defaultIndex] as Router),
  };
}
