/** @module Files of nginx `root`/`alias`/`try_files` locations, served by `serve-static` (an optional peer, loaded only when a location serves files). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadStaticPeer, servesFiles, type FileRoute, type Location } from '@switchyard/core';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
type ServeStatic = (root: string, options: Record<string, unknown>) => Middleware;

/**
 * nginx's static module sends no Cache-Control and serves dot files (`/.well-known/...` for
 * certbot); directories and index files were resolved by the core, so serve-static serves one
 * regular file and never falls through to the app.
 */
const OPTIONS = { dotfiles: 'allow', index: false, cacheControl: false, redirect: false, fallthrough: false } as const;

/** Serves `FileRoute`s; `undefined` when no location serves files (serve-static is then never loaded). */
export type StaticFiles = (req: IncomingMessage, res: ServerResponse, route: FileRoute, fail: (status: number) => void) => void;

/** Load serve-static when some location serves files: one middleware per directory, made once. */
export function createStaticFiles(locations: readonly Location[]): StaticFiles | undefined {
  if (!servesFiles(locations)) return undefined;
  const mod = loadStaticPeer('serve-static', import.meta.url) as ServeStatic | { default: ServeStatic };
  const serveStatic = typeof mod === 'function' ? mod : mod.default;
  const byRoot = new Map<string, Middleware>();
  return (req, res, route, fail) => {
    let serve = byRoot.get(route.file.root);
    if (serve === undefined) {
      serve = serveStatic(route.file.root, OPTIONS);
      // Roots come from the configuration (captures may vary a few); the cap keeps a pathological one bounded.
      if (byRoot.size < 1000) byRoot.set(route.file.root, serve);
    }
    // serve-static reads the file from the request's path: give it the file's, then put the URL back.
    const url = req.url;
    req.url = `/${route.file.path.split('/').map(encodeURIComponent).join('/')}`;
    serve(req, res, (err?: unknown) => {
      req.url = url;
      const status = (err as { status?: unknown } | undefined)?.status;
      fail(typeof status === 'number' ? status : 500);
    });
    req.url = url;
  };
}
