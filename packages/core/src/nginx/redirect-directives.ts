/** @module The nginx directives behind internal redirects and the slash redirect: `internal`, `proxy_ignore_headers X-Accel-Redirect`, `absolute_redirect`, `port_in_redirect`, `server_name_in_redirect`. */
import type { LocationOptions } from '../types.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';

/** What one level (http, server, location) sets; a level inherits what it does not set, as nginx merges them. */
export interface RedirectSettings {
  /** `proxy_ignore_headers` given at this level: whether it lists X-Accel-Redirect (a new list replaces the inherited one). */
  ignoreAccelRedirect?: boolean;
  absolute?: boolean;
  port?: boolean;
  serverNameInRedirect?: boolean;
  /** The first `server_name` of the server block (what `server_name_in_redirect on` writes). */
  serverName?: string;
}

/** The level's settings over the inherited ones. */
export function mergeRedirect(inherited: RedirectSettings, level: RedirectSettings): RedirectSettings {
  return { ...inherited, ...level };
}

/**
 * Apply one of these directives to `level`; false for any other directive. `server_name` is
 * recorded but still answered false, so that the caller warns it is ignored for matching.
 */
export function readRedirectDirective(d: Directive, level: RedirectSettings, notes: ImportNotes): boolean {
  switch (d.name) {
    case 'absolute_redirect':
      level.absolute = onOff(d);
      return true;
    case 'port_in_redirect':
      level.port = onOff(d);
      return true;
    case 'server_name_in_redirect':
      level.serverNameInRedirect = onOff(d);
      return true;
    case 'server_name': {
      const first = d.args[0]?.value;
      // `server_name _;` and regex names (`~^...`) are not names a redirect could carry.
      if (first !== undefined && level.serverName === undefined && /^[A-Za-z0-9.-]+$/.test(first)) level.serverName = first.toLowerCase();
      return false;
    }
    case 'proxy_ignore_headers': {
      if (d.args.length === 0) fail(d, 'invalid number of arguments in "proxy_ignore_headers" directive');
      let accel = false;
      for (const a of d.args) {
        if (a.value.toLowerCase() === 'x-accel-redirect') accel = true;
        else notes.warn(a, `"proxy_ignore_headers ${a.value}" ignored (switchyard does not interpret that header)`);
      }
      level.ignoreAccelRedirect = accel;
      return true;
    }
    default:
      return false;
  }
}

function onOff(d: Directive): boolean {
  const v = d.args[0];
  if (v === undefined || d.args.length !== 1) fail(d, `invalid number of arguments in "${d.name}" directive`);
  const value = v.value.toLowerCase();
  if (value !== 'on' && value !== 'off') fail(v, `invalid value "${v.value}" in "${d.name}" directive, it must be "on" or "off"`);
  return value === 'on';
}

/** The location's `absoluteRedirect` as nginx's settings make it (nginx's defaults: absolute, with the port, Host's name). */
export function absoluteRedirectOption(s: RedirectSettings): LocationOptions['absoluteRedirect'] {
  if (s.absolute === false) return false;
  const serverName = s.serverNameInRedirect === true ? s.serverName : undefined;
  if (serverName === undefined && s.port !== false) return true;
  return { ...(serverName !== undefined ? { serverName } : {}), ...(s.port === false ? { port: false } : {}) };
}
