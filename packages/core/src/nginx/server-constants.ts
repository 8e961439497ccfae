/** @module Server-level `set $name "text";` that every request of the server runs with the same value: such a variable is a constant, written into the proxied header values that use it. */
import type { Directive } from './syntax-tree.js';

const REWRITE_MODULE = new Set(['rewrite', 'return', 'if', 'break']);

/** How many `set $name` a file has per variable name (lower-case: nginx variable names are case-insensitive). */
export function countSets(tree: readonly Directive[], out = new Map<string, number>()): Map<string, number> {
  for (const d of tree) {
    const name = d.name === 'set' ? d.args[0]?.value : undefined;
    if (name !== undefined) out.set(name.slice(1).toLowerCase(), (out.get(name.slice(1).toLowerCase()) ?? 0) + 1);
    if (d.block) countSets(d.block, out);
  }
  return out;
}

/**
 * The constants of one server block: its `set $name value;` that come before any other rewrite
 * directive of the server level (so every request runs them: nothing can return, redirect or stop
 * first), whose value has no variable, and whose name no other `set` of the file (nor a map)
 * assigns. nginx gives such a variable that value in every location of the server, so writing the
 * text in place of `$name` is exact. Lower-case names to values; `undefined` when none.
 */
export function serverConstants(
  block: readonly Directive[],
  sets: ReadonlyMap<string, number>,
  mapNames: ReadonlySet<string>,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const d of block) {
    if (REWRITE_MODULE.has(d.name)) break;
    if (d.name !== 'set' || d.args.length !== 2) continue;
    const name = (d.args[0]?.value ?? '').slice(1).toLowerCase();
    const value = d.args[1]?.value ?? '';
    if (value.includes('$') || sets.get(name) !== 1 || mapNames.has(name) || !/^[a-z0-9_]+$/.test(name)) continue;
    (out ??= Object.create(null) as Record<string, string>)[name] = value;
  }
  return out;
}

/** `value` with each constant's `$name` / `${name}` replaced by its text (a longer name such as `$name_x` is left alone). */
export function inlineConstants(value: string, constants: Readonly<Record<string, string>> | undefined): string {
  if (constants === undefined || !value.includes('$')) return value;
  return value.replace(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare ?? '').toLowerCase();
    return Object.hasOwn(constants, name) ? (constants[name] as string) : whole;
  });
}
