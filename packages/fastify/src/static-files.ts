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

/** Send the file a location resolved to (GET or HEAD: the core answered 405 to other methods). */
export function sendStaticFile(reply: FastifyReply, route: FileRoute): void {
  (reply as unknown as StaticReply).sendFile(route.file.path, route.file.root, SEND_OPTIONS);
}
