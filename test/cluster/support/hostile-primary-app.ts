/**
 * @module A node:cluster primary that is not clusterPrimary(): it answers a `cluster: true`
 * switchyard worker with malformed and hostile tagged messages, then one valid change. The worker
 * must drop each bad one with a log line, apply the valid one, and report its servers.
 */
import cluster from 'node:cluster';
import { createSwitchyard } from '@switchyard/core';

const TAG = '__switchyard';
const base = { maxFails: 1, failTimeoutMs: 10_000, backup: false, down: false, drain: false, maxConns: 0, slowStartMs: 0 };

if (cluster.isPrimary) {
  const worker = cluster.fork();
  worker.on('message', (m: Record<string, unknown>) => {
    if (m[TAG] === 'hello') {
      worker.send({
        [TAG]: 'state',
        changes: [{ op: 'add', upstream: 'api', server: { ...base, url: 'http://10.6.6.6:80', weight: 5_000_000 } }],
        health: [],
        passive: [],
        prober: false,
      });
      worker.send({ [TAG]: 'state', changes: [], health: 'x', passive: [], prober: false });
      worker.send({ [TAG]: 'change' });
      worker.send({ [TAG]: 'change', change: { op: 'add', upstream: 'api', server: { ...base, url: 'http://10.6.6.6:80/%%', weight: 1 } } });
      worker.send({ [TAG]: 'change', change: { op: 'set', upstream: 'api', url: 'http://127.0.0.1:1', patch: { weight: 5_000_000 } } });
      worker.send({ [TAG]: 'status-result', id: 1, snapshots: [{ upstreams: { api: { servers: 7 } } }] });
      worker.send({ [TAG]: 'passive', report: { upstream: 'api', url: 'http://127.0.0.1:1', failed: 'yes' } });
      worker.send({ [TAG]: 'change', change: { op: 'add', upstream: 'api', server: { ...base, url: 'http://127.0.0.7:80', weight: 2 } } });
    } else if (m.result !== undefined) {
      console.log(`RESULT ${JSON.stringify(m.result)}`);
      worker.kill();
    }
  });
} else {
  const sy = createSwitchyard({ upstreams: { api: ['http://127.0.0.1:1'] }, cluster: true });
  const lines: string[] = [];
  sy.on('input:limited', (e) => lines.push(`${e.source} ${e.action}: ${e.detail}`));
  sy.on('server:added', () => {
    const servers = sy.status().upstreams.api!.servers.map((s) => [s.url, s.weight]);
    process.send!({ result: { servers, lines } });
  });
}
