/** @module nginx's map lookup (ngx_http_map_find): exact key, then hostname wildcards, then the regexes in order, then the default. */
import type { MapTemplate, ResolvedMap } from './map-types.js';

/** The value picked for a source value, and the regex match when a regex entry picked it. */
export interface MapEntry {
  readonly value: MapTemplate;
  readonly match: RegExpExecArray | undefined;
}

/**
 * The entry for `source`: an exact key compared case-insensitively (nginx lowercases both sides);
 * with `hostnames`, a trailing dot is dropped first and the longest `*.x` / `.x` wildcard, then the
 * longest `x.*` one, are tried; then each regex in order (an empty source tries none, as nginx);
 * else the default.
 */
export function findMapEntry(map: ResolvedMap, source: string): MapEntry {
  const value = map.hostnames && source.endsWith('.') ? source.slice(0, -1) : source;
  const lower = value.toLowerCase();
  const exact = map.exact.get(lower);
  if (exact !== undefined) return { value: exact, match: undefined };
  if (map.head.size > 0) {
    // `a.b.example.com`: `b.example.com`, then `example.com`, then `com`: the longest first.
    for (let dot = lower.indexOf('.'); dot !== -1; dot = lower.indexOf('.', dot + 1)) {
      const found = map.head.get(lower.slice(dot + 1));
      if (found !== undefined) return { value: found, match: undefined };
    }
  }
  if (map.tail.size > 0) {
    for (let dot = lower.lastIndexOf('.'); dot > 0; dot = lower.lastIndexOf('.', dot - 1)) {
      const found = map.tail.get(lower.slice(0, dot));
      if (found !== undefined) return { value: found, match: undefined };
    }
  }
  if (value !== '') {
    for (const entry of map.regexes) {
      const m = entry.regex.exec(value);
      if (m !== null) return { value: entry.value, match: m };
    }
  }
  return { value: map.default, match: undefined };
}

/**
 * A map's value for one request: its source expanded with `lookup`, the entry found, that entry's
 * value expanded (`$1`... from the regex that matched, else `outerCapture`: the request's last
 * captures, as nginx reads them). `lookup` returns `undefined` for a variable without a value (empty).
 */
export function evaluateMap(
  map: ResolvedMap,
  lookup: (name: string) => string | undefined,
  outerCapture?: (n: number) => string | undefined,
): { readonly value: string; readonly match: RegExpExecArray | undefined } {
  const entry = findMapEntry(map, expandMapTemplate(map.source, lookup, outerCapture, undefined));
  return { value: expandMapTemplate(entry.value, lookup, outerCapture, entry.match), match: entry.match };
}

function expandMapTemplate(
  t: MapTemplate,
  lookup: (name: string) => string | undefined,
  outerCapture: ((n: number) => string | undefined) | undefined,
  match: RegExpExecArray | undefined,
): string {
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') out += p;
    else if ('variable' in p) out += lookup(p.variable) ?? '';
    else out += (match !== undefined ? match[p.capture] : outerCapture?.(p.capture)) ?? '';
  }
  return out;
}
