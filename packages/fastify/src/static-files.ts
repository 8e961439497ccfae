/** @module Files of nginx `root`/`alias`/`try_files` locations, served by `@fastify/static` (an optional peer, loaded only when a location serves files). */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { loadStaticPeer, servesFiles, type FileRoute, type Location } from '@switchyard/core';

interface StaticReply {
  sendFile(path: string, root: string, options: Record<string, unknown>): FastifyReply;
}

/**
 * nginx's static module sends no Cache-Control and serves dot files (`/.well-known/...` for
 * certbot): the plugin's defaults differ there. Directories and index files were resolved by
 * the core already, so the plugin serves one regular file.
 */
const SEND_OPTIONS = { dotfiles: 'allow', index: false, cacheControl: false, redirect: false } as const;

/** Register `reply.sendFile` in `scope` when some location serves files. */
export async function registerStaticFiles(scope: FastifyInstance, locations: readonly Location[]): Promise<void> {
  if (!servesFiles(locations)) return;
  const mod = loadStaticPeer('@fastify/static', import.meta.url) as { default?: FastifyPluginAsync } | FastifyPluginAsync;
  const plugin = typeof mod === 'function' ? mod : (mod.default as FastifyPluginAsync);
  await scope.register(plugin as FastifyPluginAsync<Record<string, unknown>>, { serve: false, decorateReply: true });
}

/** The file a reply is sending: an error of the library (416, a file gone since the lookup) is then answered as nginx. */
const sending = new WeakMap<FastifyReply, FileRoute>();

/** Send the file a location resolved to (GET or HEAD: the core answered 405 to other methods). */
export function sendStaticFile(reply: FastifyReply, route: FileRoute): void {
  sending.set(reply, route);
  (reply as unknown as StaticReply).sendFile(route.file.path, route.file.root, SEND_OPTIONS);
}

/**
 * The status and headers of an error @fastify/static sent for a file of `reply` (a Range past the
 * end is 416 with `Content-Range: bytes *\/SIZE`), or `undefined` for any other error.
 */
export function staticFileError(reply: FastifyReply, err: unknown): { route: FileRoute; status: number; headers: Record<string, string> } | undefined {
  const route = sending.get(reply);
  const e = err as { statusCode?: unknown; status?: unknown; headers?: unknown } | null;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.status === 'number' ? e.status : undefined;
  if (route === undefined || status === undefined || status < 400 || status > 599) return undefined;
  const headers: Record<string, string> = {};
  const given = e?.headers;
  if (typeof given === 'object' && given !== null) {
    for (const [name, value] of Object.entries(given))
      if (name.toLowerCase() === 'content-range' && typeof value === 'string') headers['content-range'] = value;
  }
  return { route, status, headers };
}
