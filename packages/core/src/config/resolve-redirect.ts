/** @module A location's `redirect` (nginx `proxy_redirect`) resolved to its prefix rules, `'default'` spelt out as nginx does. */
import type { LocationKind, ProxyRedirectRule, ResolvedUpstream } from '../types.js';
import { checkKeys, describe, expectObject, fail } from './describe.js';

/** What `'default'` is computed from: the location's prefix and its proxy_pass URL. */
interface RedirectSubject {
  readonly kind: LocationKind;
  readonly pattern: string;
  readonly rewritePrefix: string | undefined;
  readonly upstream: ResolvedUpstream;
}

/**
 * nginx's `proxy_redirect default` (ngx_http_proxy_merge_loc_conf): with a URI in proxy_pass, the
 * URL `http://NAME/v1/` becomes the location's name (`/api/`); without one, `http://NAME/` becomes
 * `/`. NAME is the upstream's name, as in proxy_pass; the scheme is its servers' (`https` when the
 * first one is).
 */
export function defaultRedirect(subject: RedirectSubject): ProxyRedirectRule {
  const scheme = subject.upstream.servers[0]?.url.startsWith('https:') === true ? 'https' : 'http';
  const base = `${scheme}://${subject.upstream.name}`;
  if (subject.rewritePrefix !== undefined) return { from: base + subject.rewritePrefix, to: subject.pattern };
  return { from: `${base}/`, to: '/' };
}

/** `redirect`: `'default'`, false, or `[{ from, to }]`; undefined takes the top-level one. Absent (undefined) when off. */
export function resolveRedirect(
  input: unknown,
  path: string,
  inherited: 'default' | false,
  subject: RedirectSubject,
): readonly ProxyRedirectRule[] | undefined {
  const value = input === undefined ? inherited : input;
  if (value === false) return undefined;
  if (value === 'default') return Object.freeze([Object.freeze(defaultRedirect(subject))]);
  if (!Array.isArray(value)) fail(path, `must be 'default', false or an array of { from, to }, got ${describe(value)}`);
  const rules = value.map((entry: unknown, i): ProxyRedirectRule => {
    const at = `${path}[${i}]`;
    const obj = expectObject(entry, at, '{ from, to }');
    checkKeys(obj, ['from', 'to'] as const, at);
    for (const key of ['from', 'to'] as const) {
      const text = obj[key];
      // Header values: no CR/LF (response splitting), no other control character.
      if (typeof text !== 'string' || (key === 'from' && text === '') || /[\x00-\x1f\x7f]/.test(text)) {
        fail(`${at}.${key}`, `must be a${key === 'from' ? ' non-empty' : ''} string without control characters, got ${describe(text)}`);
      }
    }
    return Object.freeze({ from: obj.from as string, to: obj.to as string });
  });
  return rules.length === 0 ? undefined : Object.freeze(rules);
}
