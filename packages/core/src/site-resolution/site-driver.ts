/** @module Runs the request engine: synchronously up to its first file test (a `FilesRoute`), then on with `node:fs` stats in `resolveFiles`. */
import { stat } from 'node:fs/promises';
import type { FilesAnswer, FilesRoute, SiteMatch } from '../types.js';
import type { RequestState } from '../rewrite/request-state.js';
import type { Engine, FileKind, FileQuery } from './site-engine.js';

/** A started engine waiting for its file test's answer. */
interface Pending {
  readonly engine: Engine;
  readonly query: FileQuery;
}

const pending = new WeakMap<FilesRoute, Pending>();

/** Bound on the file tests of one request (index files, try_files entries and `if -f` over at most 10 cycles). */
const MAX_FILE_TESTS = 256;

/** Start `engine`: its answer, or a `FilesRoute` to finish with `resolvePendingFiles`. */
export function startEngine(engine: Engine, state: RequestState): SiteMatch | undefined {
  const first = engine.next();
  if (first.done === true) return first.value;
  const route: FilesRoute = { location: state.location, files: { uri: state.uri } };
  pending.set(route, { engine, query: first.value });
  return route;
}

async function kindOf(path: string): Promise<FileKind> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'none';
  } catch {
    // Missing, unreadable, a name too long, a NUL: nginx treats every failed open as "not found".
    return 'none';
  }
}

/** Finish a `FilesRoute` (each one once). */
export async function resolvePendingFiles(route: FilesRoute): Promise<FilesAnswer> {
  const p = pending.get(route);
  if (p === undefined) throw new TypeError('resolveFiles: not a FilesRoute of this switchyard, or already resolved');
  pending.delete(route);
  let query = p.query;
  for (let i = 0; i < MAX_FILE_TESTS; i++) {
    const next = p.engine.next(await kindOf(query.stat));
    if (next.done === true) return next.value;
    query = next.value;
  }
  p.engine.return(undefined);
  return { return: { status: 500 }, location: route.location };
}
