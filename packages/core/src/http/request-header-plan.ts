/** @module A location's configured request headers compiled once (values with nginx variables turned into functions), so a request only runs them. */
import { compileHeaderValue, usesServer, type HeaderValue } from './header-variables.js';
import type { ResolvedMaps } from '../maps/map-types.js';

/** What `buildUpstreamHeaders` does for one location, decided at config time. */
export interface RequestHeaderPlan {
  /** Write X-Forwarded-For/-Proto/-Host and X-Real-IP (switchyard's default); false: pass the client's on untouched, as nginx. */
  readonly forwarded: boolean;
  /** The configured Host; `undefined`: `preserveHost` or the picked server's host. */
  readonly host: HeaderValue | undefined;
  /** The Host sent depends on the picked server (so a `rewriteRequest` hook, run before the pick, does not see it). */
  readonly hostNeedsServer: boolean;
  /** Configured headers other than Host, lower-case names; a value evaluating to `''` removes the header. */
  readonly names: readonly string[];
  readonly values: readonly HeaderValue[];
  /** Names whose client copy is not passed on (every configured name, set or removed). */
  readonly replaced: ReadonlySet<string>;
  /** Some value reads the request (a variable source is built for it). */
  readonly dynamic: boolean;
}

/**
 * Compile `headers` (lower-case names, validated) for a location; `nginxHost`: Host defaults to
 * `$proxy_host` instead of the picked server's host; `upstream`: the location's upstream name
 * (`$proxy_host`, folded in as text); `maps`: the configuration's `maps`. Throws `HeaderValueError` (from
 * `compileHeaderValue`) for an unknown variable; the config resolver names the field.
 */
export function compileRequestHeaders(
  headers: Readonly<Record<string, string>>,
  forwarded: boolean,
  preserveHost: boolean,
  nginxHost = false,
  upstream?: string,
  maps?: ResolvedMaps,
): RequestHeaderPlan {
  const names: string[] = [];
  const values: HeaderValue[] = [];
  // `$proxy_host` is the location's upstream name: a constant, folded in at config time.
  const constants = upstream === undefined ? undefined : new Map([['proxy_host', upstream]]);
  // nginx's default `proxy_set_header Host $proxy_host` (`headerDefaults: 'nginx'` without preserveHost).
  let host: HeaderValue | undefined = nginxHost && !preserveHost ? compileHeaderValue('$proxy_host', constants) : undefined;
  let hostNeedsServer = !preserveHost && host === undefined;
  let dynamic = host !== undefined && typeof host !== 'string';
  for (const name of Object.keys(headers)) {
    const text = headers[name] as string;
    const value = compileHeaderValue(text, constants, maps);
    if (typeof value !== 'string') dynamic = true;
    if (name === 'host') {
      host = value;
      hostNeedsServer = usesServer(text);
      continue;
    }
    names.push(name);
    values.push(value);
  }
  return Object.freeze({ forwarded, host, hostNeedsServer, names, values, replaced: new Set(names), dynamic });
}
