/** @module The worker side of `cluster: true`: shares changes, probe results and passive failures with the other workers through `clusterPrimary()`. */
import cluster from 'node:cluster';
import type { StatusSnapshot, Switchyard, SwitchyardEvents } from '../types.js';
import type { PoolControl } from '../internal.js';
import type { HealthChecks } from '../health/health-checks.js';
import { resolveServerPatch } from '../config/resolve-server-patch.js';
import { mergeStatus } from './merge-status.js';
import { notEditableReason } from '../admin/server-source.js';
import { internalsOf } from '../admin/instance-internals.js';
import { TAG, isOurs, type ChangeOp, type HealthReport, type PassiveReport, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { checkChange, checkEach, checkHealth, checkPassive, checkPrimaryMessage } from './check-message.js';

/** Without an answer from `clusterPrimary()` in this long, the worker probes on its own (and warns once). */
export const PRIMARY_ANSWER_MS = 2000;
/** A status read gives up on the other workers after this long and answers with what it has. */
const STATUS_READ_MS = 1500;

export interface ClusterLink extends HealthChecks {
  /** The status summed over every worker (the local one when alone). */
  status(): Promise<StatusSnapshot>;
}

/**
 * Join the other workers of this machine. Outside a node:cluster worker it is a plain local
 * instance (health checks start here). In a worker, health checks start only when the primary
 * names this worker the prober (or when no primary answers).
 */
export function joinCluster(sy: Switchyard, pools: ReadonlyMap<string, PoolControl>, startHealth: () => HealthChecks): ClusterLink {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || send === undefined) {
    const local = startHealth();
    return { ...local, status: async () => sy.status() };
  }

  let probes: HealthChecks | undefined;
  let joined = false;
  let stopped = false;
  /** True while applying another worker's change: its events are not sent back. */
  let applying = false;
  let nextRead = 1;
  const reads = new Map<number, (snapshots: StatusSnapshot[] | undefined) => void>();

  const post = (message: WorkerMessage): void => {
    if (stopped || !process.connected) return;
    try {
      send(message);
    } catch {
      // The primary is gone: this worker runs on alone.
    }
  };

  const becomeProber = (): void => {
    if (stopped || probes !== undefined) return;
    probes = startHealth();
    // startHealth watches the configured servers; the pools may have changed since (replayed changes).
    for (const [name, pool] of pools) {
      const urls = new Set(pool.servers().map((s) => s.url));
      for (const server of pool.config.servers) if (!urls.has(server.url)) probes.unwatch(name, server.url);
      for (const url of urls) probes.watch(name, url);
    }
  };

  const apply = (change: ChangeOp): void => {
    const pool = pools.get(change.upstream);
    if (pool === undefined) return;
    applying = true;
    try {
      if (change.op === 'add') {
        pool.addServer(change.server);
        probes?.watch(change.upstream, change.server.url);
      } else if (change.op === 'remove') {
        if (pool.removeServer(change.url)) probes?.unwatch(change.upstream, change.url);
      } else {
        pool.setServer(change.url, resolveServerPatch(change.patch, `cluster change of ${change.upstream} ${change.url}`));
      }
    } catch {
      // Already applied here (a duplicate add, a server gone): the end state is the same.
    } finally {
      applying = false;
    }
  };
  const applyHealth = (r: HealthReport): void => pools.get(r.upstream)?.setHealth(r.url, r.healthy, r.last);
  const applyPassive = (r: PassiveReport): void => pools.get(r.upstream)?.peerFailure(r.url, r.failed);

  /** One line per dropped message, through the app's logger when it listens (the state logger does). */
  const dropped = (error: string): void => {
    const detail = `dropped a malformed message from the primary: ${error}`;
    if (!emitLimited(detail)) process.emitWarning(`switchyard: cluster: ${detail}`);
  };
  const emitLimited = (detail: string): boolean => {
    const env = internalsOf(sy).env;
    if (env === undefined || !env.listening('input:limited')) return false;
    env.emit('input:limited', { source: 'cluster', field: 'message', action: 'refused', detail });
    return true;
  };

  const onMessage = (raw: unknown): void => {
    if (!isOurs<PrimaryMessage>(raw)) return;
    const checked = checkPrimaryMessage(raw);
    if (!checked.ok) return dropped(checked.error);
    try {
      handle(checked.message);
    } catch (err) {
      dropped(String(err));
    }
  };

  const handle = (message: PrimaryMessage): void => {
    switch (message[TAG]) {
      case 'state':
        joined = true;
        clearTimeout(fallback);
        for (const change of checkEach(message.changes, checkChange, dropped)) apply(change);
        for (const r of checkEach(message.health, checkHealth, dropped)) applyHealth(r);
        for (const r of checkEach(message.passive, checkPassive, dropped)) applyPassive(r);
        if (message.prober) becomeProber();
        return;
      case 'change':
        apply(message.change);
        return;
      case 'health':
        if (probes === undefined) applyHealth(message.report);
        return;
      case 'passive':
        applyPassive(message.report);
        return;
      case 'prober':
        becomeProber();
        return;
      case 'status-collect':
        post({ [TAG]: 'status-part', id: message.id, snapshot: sy.status() });
        return;
      case 'status-result':
        reads.get(message.id)?.(message.snapshots);
        return;
    }
  };

  const change = (c: ChangeOp): void => {
    if (!applying) post({ [TAG]: 'change', change: c });
  };
  /**
   * Servers from DNS or `discover` follow their source in every worker on its own (the same rule
   * that makes the admin API answer 409 for them): their comings and goings are not shared.
   */
  const followsSource = new Set<string>();
  const keyOf = (upstream: string, url: string): string => `${upstream}\n${url}`;
  const onAdded = (e: SwitchyardEvents['server:added']): void => {
    const view = pools
      .get(e.upstream)
      ?.adminServers()
      .find((v) => v.settings.url === e.url);
    if (view === undefined) return;
    if (notEditableReason(view.settings.source) !== undefined) followsSource.add(keyOf(e.upstream, e.url));
    else change({ op: 'add', upstream: e.upstream, server: view.settings });
  };
  const onRemoved = (e: SwitchyardEvents['server:removed']): void => {
    if (!followsSource.delete(keyOf(e.upstream, e.url))) change({ op: 'remove', upstream: e.upstream, url: e.url });
  };
  const onUpdated = (e: SwitchyardEvents['server:updated']): void => {
    if (!followsSource.has(keyOf(e.upstream, e.url))) change({ op: 'set', upstream: e.upstream, url: e.url, patch: e.patch });
  };
  const onDown = (e: SwitchyardEvents['server:down']): void => {
    if (e.reason === 'passive') post({ [TAG]: 'passive', report: { upstream: e.upstream, url: e.url, failed: true } });
  };
  const onUp = (e: SwitchyardEvents['server:up']): void => {
    if (e.reason === 'passive') post({ [TAG]: 'passive', report: { upstream: e.upstream, url: e.url, failed: false } });
  };
  const onProbe = (e: SwitchyardEvents['health:probe']): void => {
    const view = pools
      .get(e.upstream)
      ?.adminServers()
      .find((v) => v.settings.url === e.url);
    if (view?.health !== undefined) post({ [TAG]: 'health', report: { upstream: e.upstream, url: e.url, healthy: view.healthy, last: view.health } });
  };

  process.on('message', onMessage);
  sy.on('server:added', onAdded)
    .on('server:removed', onRemoved)
    .on('server:updated', onUpdated)
    .on('server:down', onDown)
    .on('server:up', onUp)
    .on('health:probe', onProbe);
  const fallback = setTimeout(() => {
    if (joined || stopped) return;
    process.emitWarning(
      'switchyard: cluster: true but no clusterPrimary() answered in the primary; this worker runs alone (its own health checks, its own view)',
    );
    becomeProber();
  }, PRIMARY_ANSWER_MS);
  fallback.unref();
  post({ [TAG]: 'hello' });

  return {
    watch: (upstream, url) => probes?.watch(upstream, url),
    unwatch: (upstream, url) => probes?.unwatch(upstream, url),
    async stop() {
      stopped = true;
      clearTimeout(fallback);
      process.off('message', onMessage);
      sy.off('server:added', onAdded)
        .off('server:removed', onRemoved)
        .off('server:updated', onUpdated)
        .off('server:down', onDown)
        .off('server:up', onUp)
        .off('health:probe', onProbe);
      for (const done of reads.values()) done(undefined);
      await probes?.stop();
    },
    async status() {
      const local = sy.status();
      if (!joined || stopped) return local;
      const id = nextRead++;
      const snapshots = await new Promise<StatusSnapshot[] | undefined>((resolve) => {
        const timer = setTimeout(() => done(undefined), STATUS_READ_MS);
        const done = (value: StatusSnapshot[] | undefined): void => {
          clearTimeout(timer);
          reads.delete(id);
          resolve(value);
        };
        reads.set(id, done);
        post({ [TAG]: 'status-request', id });
      });
      // Counted after the parts came back, so this worker's part is as fresh as theirs.
      return mergeStatus(sy.status(), snapshots ?? []);
    },
  };
}
