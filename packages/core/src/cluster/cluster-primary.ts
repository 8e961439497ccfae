/** @module `clusterPrimary()`: the one line in a node:cluster primary that gives clustered switchyard workers one shared view. */
import cluster, { type Worker } from 'node:cluster';
import type { ResolvedServer, ServerPatch } from '../types.js';
import { TAG, isOurs, type ChangeOp, type HealthReport, type PassiveReport, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { checkWorkerMessage } from './check-message.js';

export interface ClusterPrimaryOptions {
  /** How long a status read waits for the other workers' parts. Default 1000 ms. */
  statusTimeoutMs?: number;
  /** Receives one line per dropped (malformed) worker message. Default: `process.emitWarning`. */
  log?: (msg: string) => void;
}

/** The last state of one server the workers changed: what a worker forked later replays. */
interface ServerChanges {
  /** A server of the configuration was removed (replayed first). */
  removed: boolean;
  /** Added at run time with these settings. */
  add?: ResolvedServer;
  /** The changes made since (merged, the last value of each field wins). */
  patch?: ServerPatch;
}

/**
 * The change log compacted to one entry per server: 100k setServer calls on one server keep one
 * entry, not 100k. Replaying it gives the same end state as replaying every change in order.
 */
export class ChangeLog {
  readonly #byServer = new Map<string, ServerChanges>();

  get size(): number {
    return this.#byServer.size;
  }

  record(change: ChangeOp): void {
    const key = `${change.upstream}\n${change.op === 'add' ? change.server.url : change.url}`;
    const entry = this.#byServer.get(key) ?? { removed: false };
    if (change.op === 'add') {
      entry.add = change.server;
      entry.patch = undefined;
    } else if (change.op === 'set') {
      entry.patch = { ...entry.patch, ...change.patch };
    } else if (entry.add !== undefined) {
      // Added at run time and removed again: as if neither happened (a removed configured server stays removed).
      entry.add = undefined;
      entry.patch = undefined;
    } else {
      entry.removed = true;
      entry.patch = undefined;
    }
    if (!entry.removed && entry.add === undefined && entry.patch === undefined) this.#byServer.delete(key);
    else this.#byServer.set(key, entry);
  }

  replay(): ChangeOp[] {
    const out: ChangeOp[] = [];
    for (const [key, entry] of this.#byServer) {
      const cut = key.indexOf('\n');
      const upstream = key.slice(0, cut);
      const url = key.slice(cut + 1);
      if (entry.removed) out.push({ op: 'remove', upstream, url });
      if (entry.add !== undefined) out.push({ op: 'add', upstream, server: entry.add });
      if (entry.patch !== undefined) out.push({ op: 'set', upstream, url, patch: entry.patch });
    }
    return out;
  }
}

export interface ClusterPrimary {
  /** Workers that joined (said hello) and are alive. */
  readonly workers: number;
  /** Stop relaying (listeners removed). */
  stop(): void;
}

interface StatusRead {
  from: Worker;
  /** The requesting worker's own id for this read. */
  requesterId: number;
  waiting: Set<number>;
  parts: WorkerMessage[];
  timer: NodeJS.Timeout;
}

/**
 * Relays, in the primary, what clustered workers (`cluster: true`) share: runtime changes (kept in
 * order and replayed to every worker forked later), health results (probes run in one worker, the
 * "prober", re-chosen when it exits), passive failures, and status reads (summed over workers).
 * Nothing here runs per proxied request. Call it once, before or after forking.
 *
 * @example
 * if (cluster.isPrimary) { clusterPrimary(); for (let i = 0; i < 4; i++) cluster.fork() }
 */
export function clusterPrimary(options: ClusterPrimaryOptions = {}): ClusterPrimary {
  if (!cluster.isPrimary) throw new Error('clusterPrimary() must be called in the node:cluster primary');
  const statusTimeoutMs = options.statusTimeoutMs ?? 1000;
  const log = options.log ?? ((msg: string) => process.emitWarning(msg));
  const changes = new ChangeLog();
  const health = new Map<string, HealthReport>();
  const passive = new Map<string, PassiveReport>();
  const joined = new Map<number, Worker>();
  const reads = new Map<number, StatusRead>();
  let prober: number | undefined;
  let nextRead = 1;
  const keyOf = (upstream: string, url: string): string => `${upstream}\n${url}`;

  const send = (worker: Worker, message: PrimaryMessage): void => {
    if (!worker.isConnected()) return;
    try {
      worker.send(message);
    } catch {
      // The worker is going away: 'exit' cleans up.
    }
  };
  const others = (from: Worker, message: PrimaryMessage): void => {
    for (const w of joined.values()) if (w !== from) send(w, message);
  };

  const electProber = (): void => {
    if (prober !== undefined && joined.has(prober)) return;
    prober = undefined;
    const next = joined.values().next();
    if (next.done === true) return;
    prober = next.value.id;
    send(next.value, { [TAG]: 'prober' });
  };

  const finishRead = (id: number): void => {
    const read = reads.get(id);
    if (read === undefined) return;
    reads.delete(id);
    clearTimeout(read.timer);
    const snapshots = read.parts.flatMap((m) => (m[TAG] === 'status-part' ? [m.snapshot] : []));
    send(read.from, { [TAG]: 'status-result', id: read.requesterId, snapshots });
  };

  const onMessage = (worker: Worker, raw: unknown): void => {
    if (!isOurs<WorkerMessage>(raw)) return;
    // A malformed message is dropped with one line; it never reaches the other workers or the log.
    const checked = checkWorkerMessage(raw);
    if (!checked.ok) {
      log(`switchyard: clusterPrimary dropped a malformed message from worker ${worker.id}: ${checked.error}`);
      return;
    }
    try {
      relay(worker, checked.message);
    } catch (err) {
      // Never expected after the check; the primary (and with it every worker) must outlive it regardless.
      log(`switchyard: clusterPrimary could not relay a message from worker ${worker.id}: ${String(err)}`);
    }
  };

  const relay = (worker: Worker, message: WorkerMessage): void => {
    switch (message[TAG]) {
      case 'hello': {
        joined.set(worker.id, worker);
        const isProber = prober === undefined || !joined.has(prober);
        if (isProber) prober = worker.id;
        send(worker, { [TAG]: 'state', changes: changes.replay(), health: [...health.values()], passive: [...passive.values()], prober: isProber });
        return;
      }
      case 'change': {
        changes.record(message.change);
        // A server removed for good needs no stored health or failure any more.
        if (message.change.op === 'remove') {
          health.delete(keyOf(message.change.upstream, message.change.url));
          passive.delete(keyOf(message.change.upstream, message.change.url));
        }
        others(worker, message);
        return;
      }
      case 'health':
        health.set(keyOf(message.report.upstream, message.report.url), message.report);
        others(worker, message);
        return;
      case 'passive':
        if (message.report.failed) passive.set(keyOf(message.report.upstream, message.report.url), message.report);
        else passive.delete(keyOf(message.report.upstream, message.report.url));
        others(worker, message);
        return;
      case 'status-request': {
        const id = nextRead++;
        const peers = [...joined.values()].filter((w) => w !== worker && w.isConnected());
        const read: StatusRead = {
          from: worker,
          requesterId: message.id,
          waiting: new Set(peers.map((w) => w.id)),
          parts: [],
          timer: setTimeout(() => finishRead(id), statusTimeoutMs),
        };
        read.timer.unref();
        reads.set(id, read);
        if (peers.length === 0) finishRead(id);
        for (const w of peers) send(w, { [TAG]: 'status-collect', id });
        return;
      }
      case 'status-part': {
        const read = reads.get(message.id);
        if (read === undefined) return;
        read.parts.push(message);
        read.waiting.delete(worker.id);
        if (read.waiting.size === 0) finishRead(message.id);
        return;
      }
    }
  };

  const onExit = (worker: Worker): void => {
    joined.delete(worker.id);
    for (const [id, read] of reads) {
      if (read.from === worker) {
        clearTimeout(read.timer);
        reads.delete(id);
      } else if (read.waiting.delete(worker.id) && read.waiting.size === 0) {
        finishRead(id);
      }
    }
    if (prober === worker.id) {
      prober = undefined;
      electProber();
    }
  };

  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return {
    get workers() {
      return joined.size;
    },
    stop() {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
      for (const read of reads.values()) clearTimeout(read.timer);
      reads.clear();
    },
  };
}
