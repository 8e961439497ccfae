/** @module The balancer: `createPool` builds the pool behind `sy.upstream(name)` for one resolved upstream. */
import type { PoolControl, PoolEnv } from '../internal.js';
import type { ResolvedUpstream } from '../types.js';
import { Pool } from './pool.js';

/**
 * A pool for one upstream: picks a server per try with the upstream's `balance` strategy, keeps nginx's
 * passive health (max_fails / fail_timeout), backups, max_conns, drain, slow start and statistics, and
 * takes runtime changes (add/remove/set server, active-health verdicts) while picks go on.
 *
 * @example
 * const pool = createPool(config.upstreams.get('api')!, { now: () => performance.now(), random: Math.random, emit });
 * const pick = pool.pick({ request });
 * pick?.release({ status: 200, headerMs: 3 });
 */
export function createPool(config: ResolvedUpstream, env: PoolEnv): PoolControl {
  return new Pool(config, env);
}

export type { Chooser, ChooserFactory } from './chooser.js';
