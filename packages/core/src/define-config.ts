/** @module `defineConfig()`: an identity helper that gives options declared in a `const` their literal types (`balance: 'least-conn'`). */
import type { SwitchyardInput } from './types.js';

/**
 * Returns `config` unchanged. Written in a variable before `register`/`switchyard()`, options
 * lose their literal types (`balance` becomes `string`); passed through this helper they are
 * checked against `SwitchyardOptions` where they are written, and keep them.
 *
 * @example
 * const options = defineConfig({ upstreams: { api: { servers: ['http://127.0.0.1:8001'], balance: 'least-conn' } } })
 * await app.register(switchyard, options)
 */
export function defineConfig<T extends SwitchyardInput>(config: T): T {
  return config;
}
