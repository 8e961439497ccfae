/** @module Paths written into the results (latest.json, latest.md): relative to the repository, so a report never carries the machine's own directories. */
import { isAbsolute, relative, sep } from 'node:path';

/** `path` relative to `root` when it lies inside it (`bench/results/...`); a path outside the checkout is kept as given. */
export function repoPath(root: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(root, path);
  if (rel === '') return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return path;
  return rel.split(sep).join('/');
}
