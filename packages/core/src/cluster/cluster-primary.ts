/** @module `clusterPrimary()`: the one line in a node:cluster primary that gives clustered switchyard workers one shared view. */
import cluster, { type Worker } from 'node:cluster';
import { TAG, isOurs, type ChangeOp, type HealthReport, type PassiveReport, type PrimaryMessage, type WorkerMessage } from './messages.js';

export interface ClusterPrimaryOptions {
  /** How long a status read waits for the other workers' parts. Default 1000 ms. */
  statusTimeoutMs?: number;
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
  const changes: ChangeOp[] = [];
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

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isOurs<WorkerMessage>(message)) return;
    switch (message[TAG]) {
      case 'hello': {
        joined.set(worker.id, worker);
        const isProber = prober === undefined || !joined.has(prober);
        if (isProber) prober = worker.id;
        send(worker, { [TAG]: 'state', changes, health: [...health.values()], passive: [...passive.values()], prober: isProber });
        return;
      }
      case 'change': {
        changes.push(message.change);
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
