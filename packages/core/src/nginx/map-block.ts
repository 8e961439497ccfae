/** @module nginx `map SOURCE $name { ... }` blocks (http level) read into the `maps` option, with ngx_http_map_module's own errors at their line. */
import type { MapOptions } from '../types.js';
import { putOwn } from '../config/own.js';
import { fail } from './notes.js';
import type { Directive } from './syntax-tree.js';

/** One map block: the variable it defines (as written, without `$`) and its options. */
export interface ImportedMap {
  readonly name: string;
  readonly options: MapOptions;
  readonly at: Directive;
}

/**
 * `map SOURCE $name { hostnames; volatile; default VALUE; KEY VALUE; ... }` (an `include` inside
 * was expanded before). Keys stay as nginx writes them (`~re`, `~*re`, `\literal`, wildcards with
 * `hostnames`): the `maps` option reads them the same way.
 */
export function readMapBlock(d: Directive): ImportedMap {
  const [source, nameWord, extra] = d.args;
  if (source === undefined || nameWord === undefined || extra !== undefined) fail(d, 'invalid number of arguments in "map" directive');
  if (d.block === undefined) fail(d, 'directive "map" has no opening "{"');
  if (!nameWord.value.startsWith('$') || !/^\$[A-Za-z0-9_]+$/.test(nameWord.value)) fail(nameWord, `invalid variable name "${nameWord.value}"`);
  const options: MapOptions = { source: source.value };
  const values: Record<string, string> = {};
  const exact = new Set<string>();
  for (const c of d.block) {
    if (c.block !== undefined) fail(c, `unexpected "{" in the map block`);
    if (c.args.length === 0 && (c.name === 'hostnames' || c.name === 'volatile')) {
      options[c.name] = true;
      continue;
    }
    const value = c.args[0];
    if (value === undefined || c.args.length !== 1) fail(c, 'invalid number of the map parameters');
    if (c.name === 'default') {
      if (options.default !== undefined) fail(c, 'duplicate default map parameter');
      options.default = value.value;
      continue;
    }
    if (c.name.startsWith('~')) {
      // nginx tries a repeated regex twice: the first one always wins, so the second is dropped.
      if (!Object.hasOwn(values, c.name)) putOwn(values, c.name, value.value);
      continue;
    }
    const literal = (c.name.startsWith('\\') ? c.name.slice(1) : c.name).toLowerCase();
    if (exact.has(literal)) fail(c.nameToken, `conflicting parameter "${c.name}"`);
    exact.add(literal);
    putOwn(values, c.name, value.value);
  }
  if (Object.keys(values).length > 0) options.values = values;
  return { name: nameWord.value.slice(1), options, at: d };
}
