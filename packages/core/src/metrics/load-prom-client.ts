/** @module Loads the optional peer prom-client at first use: from wherever core can see it, else from the application's own directory. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PromClientLike } from './prom-client-types.js';

/** The message of the 500 answer on the metrics path when prom-client cannot be loaded. */
export const PROM_CLIENT_MISSING = 'prom-client is not installed (npm install prom-client) — it is needed for the metrics endpoint';

function asPromClient(mod: unknown): PromClientLike | undefined {
  const candidates = [mod, (mod as { default?: unknown } | null)?.default];
  for (const c of candidates) {
    if (c !== null && typeof c === 'object' && typeof (c as { Registry?: unknown }).Registry === 'function') return c as PromClientLike;
  }
  return undefined;
}

/**
 * A package manager with strict layouts (pnpm) links prom-client next to the app and the
 * adapters, not next to core: so when core's own resolution fails, resolve from the cwd.
 */
export async function loadPromClient(): Promise<PromClientLike> {
  // A variable specifier keeps bundlers from inlining the optional dependency.
  const specifier = 'prom-client';
  try {
    const found = asPromClient(await import(specifier));
    if (found !== undefined) return found;
  } catch {
    // fall through to the app's resolution
  }
  try {
    const resolved = createRequire(join(process.cwd(), 'package.json')).resolve(specifier);
    const found = asPromClient(await import(pathToFileURL(resolved).href));
    if (found !== undefined) return found;
  } catch {
    // not installed
  }
  throw new Error(PROM_CLIENT_MISSING);
}
