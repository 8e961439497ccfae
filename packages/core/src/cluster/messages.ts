/** @module The IPC messages between clustered switchyard workers and `clusterPrimary()` (node:cluster's process.send channel). */
import type { HealthStatus, ResolvedServer, ServerPatch, StatusSnapshot } from '../types.js';

/** Every message carries this key, so the app's own cluster messages are never mistaken for ours. */
export const TAG = '__switchyard' as const;

/** A runtime change made in one worker (JS or admin API), replayed in the others and in re-forked ones. */
export type ChangeOp =
  | { op: 'add'; upstream: string; server: ResolvedServer }
  | { op: 'remove'; upstream: string; url: string }
  | { op: 'set'; upstream: string; url: string; patch: ServerPatch };

export interface HealthReport {
  upstream: string;
  url: string;
  healthy: boolean;
  last: HealthStatus;
}

export interface PassiveReport {
  upstream: string;
  url: string;
  failed: boolean;
}

/** Worker to primary. */
export type WorkerMessage =
  | { [TAG]: 'hello' }
  | { [TAG]: 'change'; change: ChangeOp }
  | { [TAG]: 'health'; report: HealthReport }
  | { [TAG]: 'passive'; report: PassiveReport }
  | { [TAG]: 'status-request'; id: number }
  | { [TAG]: 'status-part'; id: number; snapshot: StatusSnapshot };

/** Primary to worker. */
export type PrimaryMessage =
  | { [TAG]: 'state'; changes: ChangeOp[]; health: HealthReport[]; passive: PassiveReport[]; prober: boolean }
  | { [TAG]: 'change'; change: ChangeOp }
  | { [TAG]: 'health'; report: HealthReport }
  | { [TAG]: 'passive'; report: PassiveReport }
  | { [TAG]: 'prober' }
  | { [TAG]: 'status-collect'; id: number }
  | { [TAG]: 'status-result'; id: number; snapshots: StatusSnapshot[] };

export function isOurs<M extends { [TAG]: string }>(value: unknown): value is M {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[TAG] === 'string';
}
