/** @module The `maps` the rewrite module can evaluate (every variable they use is one it knows), and their values per request, cached as nginx caches a map's value. */
import type { ResolvedMap, ResolvedMaps } from '../maps/map-types.js';
import { evaluateMap } from '../maps/find-map-entry.js';
import { isKnownVariable } from './template.js';

/**
 * `setNames` plus the names of the maps whose variables (directly or through other maps) the
 * rewrite module knows with these `set` names: those rewrite steps, conditions, `root`, `alias`
 * and `tryFiles` may use. A map reading a variable only proxied headers have
 * (`$proxy_add_x_forwarded_for`) stays unknown there.
 */
export function withMapNames(setNames: ReadonlySet<string>, maps: ResolvedMaps | undefined): ReadonlySet<string> {
  if (maps === undefined || maps.size === 0) return setNames;
  const usable = new Map<string, boolean>();
  const check = (map: ResolvedMap, chain: Set<string>): boolean => {
    const known = usable.get(map.name);
    if (known !== undefined) return known;
    chain.add(map.name);
    let ok = true;
    for (const name of map.uses.keys()) {
      const inner = maps.get(name.toLowerCase());
      if (inner !== undefined && !setNames.has(name)) {
        if (chain.has(inner.name) || !check(inner, chain)) ok = false;
      } else if (!isKnownVariable(name, setNames)) ok = false;
      if (!ok) break;
    }
    usable.set(map.name, ok);
    return ok;
  };
  const out = new Set(setNames);
  for (const map of maps.values()) if (check(map, new Set())) out.add(map.name);
  return out;
}

/** What a map's evaluation reads and changes of the request state. */
export interface MapState {
  readonly maps?: ResolvedMaps | undefined;
  /** Values of the non-volatile maps already evaluated for this request. */
  mapValues?: Map<string, string> | undefined;
  captures: readonly (string | undefined)[];
}

/**
 * The value of map `name` for this request, `undefined` when no map has that name. As nginx: a
 * regex entry that matches sets the request's captures (`$1`... after it are the map's).
 */
export function mapVariable(state: MapState, name: string, lookup: (name: string) => string | undefined): string | undefined {
  const map = state.maps?.get(name.toLowerCase());
  if (map === undefined) return undefined;
  const cached = map.volatile ? undefined : state.mapValues?.get(map.name);
  if (cached !== undefined) return cached;
  const { value, match } = evaluateMap(map, lookup, (n) => state.captures[n]);
  // ngx_http_regex_exec: a regex without groups leaves no captures at all.
  if (match !== undefined) state.captures = match.length > 1 ? [...match] : [];
  if (!map.volatile) (state.mapValues ??= new Map()).set(map.name, value);
  return value;
}
