/** @module Virtual hosts: the server scope a request's Host picks, each with its own location router (and, with rewrite steps or files, nginx's phases). */
import type { Location, ResolvedConfig, ResponseHeaderPlan, ReturnOptions, ReturnRoute, SiteMatch, SiteRequestFacts } from '../../types.js';
import type { CompiledProgram } from '../../rewrite/program-types.js';
import { createRouter, type Router } from '../router.js';
import { returnAnswer } from './return-answer.js';
import { createServerNameTable, normalizeHost } from './server-names.js';
import { resolveSite, type EngineSite } from '../../site-resolution/site-engine.js';
import { startEngine } from '../../site-resolution/site-driver.js';
import { normalizePath } from '../normalize-path.js';
import { splitTarget } from '../request-target.js';

/** `sy.match` with the Host: the locations of the virtual host it picks. */
export interface HostRouter {
  match(method: string, url: string, host?: string, scheme?: 'http' | 'https', facts?: SiteRequestFacts): SiteMatch | undefined;
  /** The router of the virtual host a location belongs to (an X-Accel-Redirect is matched there); the first one for a location of none (proxyTo). */
  routerOf(location: Location): Router;
}

const ABSOLUTE_HOST = /^https?:\/\/([^/?#]*)/i;

interface Site extends EngineSite {
  readonly names: readonly string[];
  /** The configuration's `maps`, for the request state. */
  readonly maps: ResolvedConfig['maps'];
  readonly return: Readonly<ReturnOptions> | undefined;
  /** Rewrite steps or files somewhere: nginx's phases run (else the plain location match). */
  readonly phases: boolean;
}

function hasContent(locations: readonly Location[]): boolean {
  return locations.some((l) => l.content !== undefined || (l.locations !== undefined && hasContent(l.locations)));
}

/**
 * The router of a configuration: with `servers`, nginx's server_name lookup picks the scope (the
 * host of an absolute request target wins over the Host header, as in nginx; no host gives the
 * default server), then that scope answers its `return` or matches its own locations. Without
 * `servers` it is the single-site router of `config.locations`, and the host is not looked at.
 */
export function createHostRouter(config: Pick<ResolvedConfig, 'locations' | 'servers' | 'rewrite' | 'responseHeaders' | 'maps'>): HostRouter {
  const servers = config.servers;
  const site = (
    locations: readonly Location[],
    rewrite: CompiledProgram | undefined,
    names: readonly string[],
    ret: Readonly<ReturnOptions> | undefined,
    responseHeaders: ResponseHeaderPlan | undefined,
  ): Site => ({
    router: createRouter(locations),
    rewrite,
    responseHeaders,
    names,
    maps: config.maps,
    return: ret,
    phases: rewrite !== undefined || hasContent(locations),
  });
  if (servers === undefined || servers.length === 0) {
    const only = site(config.locations, config.rewrite, [], undefined, config.responseHeaders);
    return {
      match: (method, url, host, scheme = 'http', facts) =>
        only.phases ? runPhases(only, method, url, normalizeHost(host), scheme, facts) : only.router.match(method, url),
      routerOf: () => only.router,
    };
  }
  const sites = servers.map((s) => site(s.locations, s.rewrite, s.names, s.return, s.responseHeaders));
  const owner = new WeakMap<Location, Router>();
  const own = (locations: readonly Location[], router: Router): void => {
    for (const l of locations) {
      owner.set(l, router);
      if (l.locations !== undefined) own(l.locations, router);
    }
  };
  servers.forEach((s, i) => own(s.locations, (sites[i] as Site).router));
  const defaultIndex = Math.max(
    0,
    servers.findIndex((s) => s.default),
  );
  const table = createServerNameTable(
    servers.map((s) => s.names),
    defaultIndex,
  );
  return {
    match(method, url, host, scheme = 'http', facts) {
      const fromTarget = typeof url === 'string' ? ABSOLUTE_HOST.exec(url)?.[1] : undefined;
      const name = normalizeHost(fromTarget !== undefined && fromTarget !== '' ? fromTarget : host);
      const chosen = sites[table.pick(name)] as Site;
      if (chosen.phases) return runPhases(chosen, method, url, name, scheme, facts);
      if (chosen.return !== undefined) {
        return withServerHeaders(returnAnswer(chosen.return, { url, host: name, serverName: chosen.names[0] ?? '', scheme }), chosen);
      }
      return chosen.router.match(method, url);
    },
    routerOf: (location) => owner.get(location) ?? (sites[defaultIndex] as Site).router,
  };
}

/** A server-level `return` carries the server's `addHeaders`/`expires`. */
function withServerHeaders(route: ReturnRoute, site: Site): ReturnRoute {
  return site.responseHeaders === undefined ? route : { ...route, responseHeaders: site.responseHeaders };
}

/** nginx's phases for one request (server rewrite, location lookup and rewrite, content). */
function runPhases(
  site: Site,
  method: string,
  url: string,
  host: string | undefined,
  scheme: 'http' | 'https',
  facts: SiteRequestFacts | undefined,
): SiteMatch | undefined {
  const target = splitTarget(url);
  if (target === undefined) return undefined;
  const uri = normalizePath(target.rawPath);
  // A path nginx cannot make a `$uri` of (`..` above the root, a bad escape, a NUL): its 400, as
  // nginx answers before any phase (a site of files must not hand such a path to the app either).
  if (uri === undefined) return { return: { status: 400 }, location: undefined };
  const serverName = site.names[0] ?? '';
  if (site.return !== undefined && site.rewrite === undefined) return withServerHeaders(returnAnswer(site.return, { url, host, serverName, scheme }), site);
  const state = {
    method,
    scheme,
    host,
    serverName,
    facts,
    requestUri: target.rawPath + target.search,
    rawPath: target.rawPath,
    uri,
    args: target.search.slice(1),
    changed: false,
    captures: [],
    vars: undefined,
    location: undefined,
    maps: site.maps,
  };
  const serverReturn = site.return;
  const engineSite: EngineSite =
    serverReturn === undefined
      ? site
      : {
          router: site.router,
          responseHeaders: site.responseHeaders,
          // A server's `return` comes after its rewrite steps.
          rewrite: {
            steps: [
              ...(site.rewrite?.steps ?? []),
              { kind: 'return', status: serverReturn.status, url: literal(serverReturn.url), body: literal(serverReturn.body) },
            ],
          },
        };
  return startEngine(resolveSite(engineSite, state), state);
}

function literal(text: string | undefined): { text: string; parts: readonly (string | { variable: string })[] } | undefined {
  if (text === undefined) return undefined;
  // The server return's variables, as returnAnswer knows them.
  const parts: (string | { variable: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ variable: (m[1] ?? m[2]) as string });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return { text, parts };
}
