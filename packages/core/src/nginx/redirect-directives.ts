/** @module The nginx directives behind internal redirects and redirect headers: `internal`, `proxy_ignore_headers X-Accel-Redirect`, `absolute_redirect`, `port_in_redirect`, `server_name_in_redirect`, `proxy_redirect`. */
import type { LocationOptions, ProxyRedirectRule } from '../types.js';
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
  /** `proxy_redirect` at this level: `off` (false), or its rules in order (a level's list replaces the inherited one). */
  proxyRedirect?: false | Array<'default' | ProxyRedirectRule>;
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
    case 'proxy_redirect':
      readProxyRedirect(d, level, notes);
      return true;
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

/** `proxy_redirect off | default | FROM TO;` (ngx_http_proxy_redirect); variables and regexes are not evaluated: warned and left out. */
function readProxyRedirect(d: Directive, level: RedirectSettings, notes: ImportNotes): void {
  const [first, second] = d.args;
  if (first === undefined || d.args.length > 2) fail(d, 'invalid number of arguments in "proxy_redirect" directive');
  if (d.args.length === 1) {
    const value = first.value.toLowerCase();
    // nginx 1.22 still reads the old spelling `false` as off (with an error-log line).
    if (value === 'off' || value === 'false') {
      level.proxyRedirect = false;
      return;
    }
    if (value !== 'default') fail(d, 'invalid number of arguments in "proxy_redirect" directive');
    if (level.proxyRedirect === false || level.proxyRedirect === undefined) level.proxyRedirect = [];
    level.proxyRedirect.push('default');
    return;
  }
  const to = second as NonNullable<typeof second>;
  if (first.value.startsWith('~') || first.value.includes('$') || to.value.includes('$')) {
    notes.warn(d, `"proxy_redirect ${first.value} ${to.value}" ignored (switchyard rewrites literal prefixes only, no variables or regexes)`);
    return;
  }
  if (level.proxyRedirect === false || level.proxyRedirect === undefined) level.proxyRedirect = [];
  level.proxyRedirect.push({ from: first.value, to: to.value });
}

/** The parts of a location's proxy_pass URL (location-block's ProxyTarget). */
interface ProxyPassUrl {
  readonly scheme: string;
  readonly host: string;
  readonly port: string | undefined;
  readonly uri: string | undefined;
}

/**
 * The location's `redirect`: undefined when it is the import's top-level `'default'` (nginx's
 * default), false for `off`, else the rules, `default` spelt out from the proxy_pass text as nginx
 * does (the URL as written becomes the location's name; without a URI, `URL/` becomes `/`).
 */
export function redirectOption(s: RedirectSettings, target: ProxyPassUrl, pattern: string): LocationOptions['redirect'] {
  const list = s.proxyRedirect;
  if (list === undefined) return undefined;
  if (list === false) return false;
  if (list.length === 1 && list[0] === 'default') return undefined;
  const url = `${target.scheme}://${target.host}${target.port !== undefined ? `:${target.port}` : ''}`;
  return list.map((rule) => {
    if (rule !== 'default') return rule;
    return target.uri !== undefined ? { from: url + target.uri, to: pattern } : { from: `${url}/`, to: '/' };
  });
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
