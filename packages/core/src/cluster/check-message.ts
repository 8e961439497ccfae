/**
 * @module Validation of node:cluster IPC messages, in the primary and in every worker: each change
 * goes through the configuration's own checks (resolveServer, resolveServerPatch), so a weight of
 * 5,000,000 or a url `http://10.6.6.6:80/%%` is refused the same way the config refuses it.
 */
import type { HealthStatus, ResolvedServer, ServerSource, StatusSnapshot } from '../types.js';
import { isPlainObject } from '../config/describe.js';
import { resolveServer } from '../config/resolve-server.js';
import { publicPatch, resolveServerPatch } from '../config/resolve-server-patch.js';
import { TAG, type ChangeOp, type HealthReport, type PassiveReport, type PrimaryMessage, type WorkerMessage } from './messages.js';

/** A checked message, or why it is dropped (the receiver logs it and goes on). */
export type Checked<M> = { ok: true; message: M } | { ok: false; error: string };

const SOURCES: ReadonlySet<ServerSource> = new Set(['config', 'api', 'dns', 'discover']);

class Refused extends Error {}

function refuse(text: string): never {
  throw new Refused(text);
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 4096) refuse(`${what} must be a non-empty string`);
  return value;
}

function id(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) refuse(`${what} must be a non-negative integer`);
  return value as number;
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) refuse(`${what} must be an object`);
  return value;
}

/** A server as a worker sends it (its settings, durations in ms) checked as a configured server would be. */
export function checkServer(value: unknown, what: string): ResolvedServer {
  const s = obj(value, what);
  const input: Record<string, unknown> = {
    url: s.url,
    weight: s.weight,
    maxFails: s.maxFails,
    failTimeout: s.failTimeoutMs,
    backup: s.backup,
    down: s.down,
    drain: s.drain,
    maxConns: s.maxConns,
    slowStart: s.slowStartMs,
  };
  if (s.route !== undefined) input.route = s.route;
  const server = resolveServer(input, what);
  if (s.source !== undefined && !SOURCES.has(s.source as ServerSource)) refuse(`${what}.source must be one of ${[...SOURCES].join(', ')}`);
  return s.source !== undefined ? Object.freeze({ ...server, source: s.source as ServerSource }) : server;
}

export function checkChange(value: unknown): ChangeOp {
  const c = obj(value, 'change');
  const upstream = str(c.upstream, 'change.upstream');
  const where = `cluster change of ${upstream}`;
  if (c.op === 'add') return { op: 'add', upstream, server: checkServer(c.server, `${where}.server`) };
  if (c.op === 'remove') return { op: 'remove', upstream, url: str(c.url, 'change.url') };
  if (c.op === 'set') {
    const url = str(c.url, 'change.url');
    return { op: 'set', upstream, url, patch: publicPatch(resolveServerPatch(c.patch, `${where} ${url}.patch`)) };
  }
  return refuse(`change.op must be 'add', 'remove' or 'set'`);
}

function checkHealth(value: unknown): HealthReport {
  const r = obj(value, 'report');
  const last = obj(r.last, 'report.last');
  if (typeof last.ok !== 'boolean' || typeof last.checkedAt !== 'number') refuse('report.last must be a health status { ok, checkedAt, ... }');
  if (typeof r.healthy !== 'boolean') refuse('report.healthy must be a boolean');
  return { upstream: str(r.upstream, 'report.upstream'), url: str(r.url, 'report.url'), healthy: r.healthy, last: last as unknown as HealthStatus };
}

function checkPassive(value: unknown): PassiveReport {
  const r = obj(value, 'report');
  if (typeof r.failed !== 'boolean') refuse('report.failed must be a boolean');
  return { upstream: str(r.upstream, 'report.upstream'), url: str(r.url, 'report.url'), failed: r.failed };
}

/** Enough of a status snapshot for mergeStatus not to throw: upstreams of server arrays. */
function checkSnapshot(value: unknown, what: string): StatusSnapshot {
  const s = obj(value, what);
  const upstreams = obj(s.upstreams, `${what}.upstreams`);
  for (const [name, u] of Object.entries(upstreams)) {
    const servers = obj(u, `${what}.upstreams.${name}`).servers;
    if (!Array.isArray(servers) || !servers.every((x) => isPlainObject(x) && typeof x.url === 'string' && isPlainObject(x.responses)))
      refuse(`${what}.upstreams.${name}.servers must be an array of server statuses`);
  }
  return value as StatusSnapshot;
}

function checked<M>(run: () => M): Checked<M> {
  try {
    return { ok: true, message: run() };
  } catch (err) {
    if (err instanceof Error) return { ok: false, error: err.message };
    return { ok: false, error: String(err) };
  }
}

/** In the primary: a worker's message (tagged with TAG), checked field by field. */
export function checkWorkerMessage(m: Record<string, unknown>): Checked<WorkerMessage> {
  return checked((): WorkerMessage => {
    switch (m[TAG]) {
      case 'hello':
        return { [TAG]: 'hello' };
      case 'change':
        return { [TAG]: 'change', change: checkChange(m.change) };
      case 'health':
        return { [TAG]: 'health', report: checkHealth(m.report) };
      case 'passive':
        return { [TAG]: 'passive', report: checkPassive(m.report) };
      case 'status-request':
        return { [TAG]: 'status-request', id: id(m.id, 'id') };
      case 'status-part':
        return { [TAG]: 'status-part', id: id(m.id, 'id'), snapshot: checkSnapshot(m.snapshot, 'snapshot') };
      default:
        return refuse(`unknown message type ${JSON.stringify(String(m[TAG])).slice(0, 80)}`);
    }
  });
}

/** In a worker: the primary's message, checked the same way (a change is applied only when valid). */
export function checkPrimaryMessage(m: Record<string, unknown>): Checked<PrimaryMessage> {
  return checked((): PrimaryMessage => {
    switch (m[TAG]) {
      case 'state': {
        if (!Array.isArray(m.changes) || !Array.isArray(m.health) || !Array.isArray(m.passive) || typeof m.prober !== 'boolean')
          refuse('state must carry changes, health and passive arrays and a prober flag');
        // One bad entry of the replayed state is dropped alone (reported by the caller through `skipped`).
        return {
          [TAG]: 'state',
          changes: m.changes as ChangeOp[],
          health: m.health as HealthReport[],
          passive: m.passive as PassiveReport[],
          prober: m.prober,
        };
      }
      case 'change':
        return { [TAG]: 'change', change: checkChange(m.change) };
      case 'health':
        return { [TAG]: 'health', report: checkHealth(m.report) };
      case 'passive':
        return { [TAG]: 'passive', report: checkPassive(m.report) };
      case 'prober':
        return { [TAG]: 'prober' };
      case 'status-collect':
        return { [TAG]: 'status-collect', id: id(m.id, 'id') };
      case 'status-result': {
        if (!Array.isArray(m.snapshots)) refuse('snapshots must be an array');
        const snapshots = m.snapshots.map((s, i) => checkSnapshot(s, `snapshots[${i}]`));
        return { [TAG]: 'status-result', id: id(m.id, 'id'), snapshots };
      }
      default:
        return refuse(`unknown message type ${JSON.stringify(String(m[TAG])).slice(0, 80)}`);
    }
  });
}

/** Each entry of a replayed state checked alone: the good ones apply, each bad one is reported. */
export function checkEach<T>(items: readonly unknown[], check: (value: unknown) => T, report: (error: string) => void): T[] {
  const out: T[] = [];
  for (const item of items) {
    const one = checked(() => check(item));
    if (one.ok) out.push(one.message);
    else report(one.error);
  }
  return out;
}

export { checkHealth, checkPassive };
