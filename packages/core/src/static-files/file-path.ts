/** @module Where a URI is on disk under nginx `root` / `alias`, refused when the result would leave the configured directory. */
import { dirname, relative, resolve, sep } from 'node:path';
import type { LocationKind } from '../types.js';
import type { LocationFiles } from '../rewrite/program-types.js';
import { expand } from '../rewrite/template.js';

/** A file path under a location's directory: `full` is inside `base` (or is `base`, for an alias naming one file). */
export interface MappedPath {
  readonly base: string;
  readonly full: string;
}

/**
 * nginx's mapping (ngx_http_map_uri_to_path): `root` + the URI, or `alias` in place of the
 * location's prefix (a regex location's alias, with its captures, replaces the whole URI).
 *
 * Unlike nginx, the result must stay inside the directory written in the configuration: the classic
 * `location /i { alias /data/; }` maps `/i../etc/passwd` to `/data/../etc/passwd`, which nginx opens
 * and switchyard refuses (`undefined`: the caller answers 404). The base of an alias with variables
 * is its text before the first variable.
 */
export function mapFilePath(
  location: { readonly kind: LocationKind; readonly pattern: string },
  files: LocationFiles,
  uri: string,
  lookup: (name: string) => string | undefined,
): MappedPath | undefined {
  if (uri.includes('\0')) return undefined;
  let base: string;
  let full: string;
  if (files.alias !== undefined) {
    const alias = expand(files.alias, lookup);
    const first = files.alias.parts[0];
    const literal = files.alias.parts.length === 1 && typeof first === 'string';
    const fixed = typeof first === 'string' ? first : '';
    if (fixed === '' || alias === '') return undefined;
    const regex = location.kind === 'regex' || location.kind === 'regex-i';
    const rest = regex || location.kind === 'exact' ? '' : uri.slice(location.pattern.length);
    // With variables, the base is the directory the fixed text names (`/data/img_$1`: `/data`).
    base = literal || fixed.endsWith('/') ? resolve(fixed) : dirname(resolve(`${fixed}x`));
    full = resolve(alias + rest);
  } else if (files.root !== undefined) {
    const root = expand(files.root, lookup);
    if (root === '') return undefined;
    base = resolve(root);
    full = resolve(root + uri);
  } else {
    return undefined;
  }
  if (full !== base && !full.startsWith(base.endsWith(sep) ? base : base + sep)) return undefined;
  return { base, full };
}

/** The `(root, path)` pair a static-file library serves: `path` relative and `/`-separated. */
export function servedFile(mapped: MappedPath): { root: string; path: string } {
  if (mapped.full === mapped.base) return { root: dirname(mapped.full), path: relative(dirname(mapped.full), mapped.full).split(sep).join('/') };
  return { root: mapped.base, path: relative(mapped.base, mapped.full).split(sep).join('/') };
}
