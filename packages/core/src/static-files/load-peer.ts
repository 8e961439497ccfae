/** @module Loads an adapter's optional static-file peer (`@fastify/static`, `serve-static`) only when a location serves files, with an error naming the package. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Location } from '../types.js';
import { SwitchyardConfigError } from '../errors.js';

/** Whether some location (nested ones included) serves files (`root`, `alias`, `tryFiles`). */
export function servesFiles(locations: readonly Location[]): boolean {
  return locations.some((l) => l.content?.files !== undefined || (l.locations !== undefined && servesFiles(l.locations)));
}

/**
 * `require` the package from the adapter (`from`: its `import.meta.url`), else from the app's
 * directory (pnpm links peers beside the app). Throws a configuration error naming the package.
 */
export function loadStaticPeer(name: string, from: string): unknown {
  for (const base of [from, join(process.cwd(), 'package.json')]) {
    try {
      return createRequire(base)(name);
    } catch {
      // next place
    }
  }
  throw new SwitchyardConfigError(
    'locations',
    `a location serves files (root, alias or tryFiles), which needs the optional peer dependency ${name}: npm install ${name}`,
  );
}
