/** @module The core's own view into an instance (its pools) for the admin API and the cluster link, kept off the public Switchyard type. */
import type { StatusSnapshot, Switchyard } from '../types.js';
import type { PoolControl, PoolEnv } from '../internal.js';

export interface InstanceInternals {
  readonly pools: ReadonlyMap<string, PoolControl>;
  /** The instance's events, for inputs refused outside a pool (admin API, cluster IPC: `input:limited`). */
  readonly env?: PoolEnv;
  /** With `cluster: true`: the status summed over the workers. */
  readonly clusterStatus?: () => Promise<StatusSnapshot>;
}

const internals = new WeakMap<Switchyard, InstanceInternals>();

export function registerInternals(sy: Switchyard, value: InstanceInternals): void {
  internals.set(sy, value);
}

/** Throws for an object that is not a switchyard made by createSwitchyard. */
export function internalsOf(sy: Switchyard): InstanceInternals {
  const value = internals.get(sy);
  if (value === undefined) throw new TypeError('not a switchyard instance made by createSwitchyard');
  return value;
}

/** The status the status page and metrics show: summed over the cluster's workers when clustered, else `sy.status()`. */
export function machineStatus(sy: Switchyard): StatusSnapshot | Promise<StatusSnapshot> {
  const clusterStatus = internals.get(sy)?.clusterStatus;
  return clusterStatus !== undefined ? clusterStatus() : sy.status();
}
