/** @module node:cluster IPC: malformed or hostile messages are dropped with a log line (never a crash), checked like the config, and the primary's change log is compacted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runScript } from '../helpers/child-scripts.js';
import { ChangeLog } from '../../packages/core/src/cluster/cluster-primary.js';
import { checkPrimaryMessage, checkWorkerMessage } from '../../packages/core/src/cluster/check-message.js';

const APP = fileURLToPath(new URL('./support/hostile-worker-app.ts', import.meta.url));
const WORKER_APP = fileURLToPath(new URL('./support/hostile-primary-app.ts', import.meta.url));

test('a real primary drops malformed and hostile worker messages with a log line and replays only the compacted valid state', async () => {
  const { code, out } = await runScript(APP, [], {});
  assert.equal(code, 0, out);
  assert.match(out, /^ALIVE$/m);
  const logs = out.split('\n').filter((l) => l.startsWith('LOG '));
  assert.equal(logs.length, 8, out);
  assert.ok(logs.every((l) => l.startsWith('LOG switchyard: clusterPrimary dropped a malformed message from worker 1: ')));
  assert.ok(logs.some((l) => /server\.weight must be at most 1000 .*got 5000000/.test(l)));
  assert.ok(logs.some((l) => /servers?\.url must be an http\(s\) url|%%/.test(l)));
  assert.ok(logs.some((l) => /patch\.weight must be at most 1000, got 1001/.test(l)));
  assert.ok(logs.some((l) => /unknown message type "nonsense"/.test(l)));
  const state = JSON.parse(/^STATE (.*)$/m.exec(out)![1]!) as Array<Record<string, unknown>>;
  // 1,000 changes of one server are two entries: its add and its last patch; the added-then-removed one is gone.
  assert.deepEqual(
    state.map((c) => [c.op, c.upstream, (c.server as { url?: string } | undefined)?.url ?? c.url]),
    [
      ['add', 'api', 'http://127.0.0.5:80'],
      ['set', 'api', 'http://127.0.0.5:80'],
    ],
  );
  assert.deepEqual(state[1]!.patch, { weight: 1 });
});

test('the change log keeps one entry per server: 100,000 changes of one server stay one entry', () => {
  const log = new ChangeLog();
  for (let i = 0; i < 100_000; i++) log.record({ op: 'set', upstream: 'api', url: 'http://127.0.0.1:1', patch: { weight: (i % 7) + 1, down: i % 2 === 0 } });
  assert.equal(log.size, 1);
  assert.deepEqual(log.replay(), [{ op: 'set', upstream: 'api', url: 'http://127.0.0.1:1', patch: { weight: (99_999 % 7) + 1, down: false } }]);
  // A configured server removed and added back replays both, in that order.
  log.record({ op: 'remove', upstream: 'api', url: 'http://127.0.0.1:2' });
  const server = { url: 'http://127.0.0.1:2', weight: 3, maxFails: 1, failTimeoutMs: 1, backup: false, down: false, drain: false, maxConns: 0, slowStartMs: 0 };
  log.record({ op: 'add', upstream: 'api', server });
  assert.deepEqual(
    log
      .replay()
      .slice(1)
      .map((c) => c.op),
    ['remove', 'add'],
  );
});

test('a worker checks the primary messages the same way: bad changes, health and snapshots are refused naming the field', () => {
  const bad = (m: Record<string, unknown>): string => {
    const r = checkPrimaryMessage({ __switchyard: 'change', ...m });
    assert.equal(r.ok, false);
    return r.ok ? '' : r.error;
  };
  assert.match(bad({ change: { op: 'set', upstream: 'api', url: 'http://a:1', patch: { weight: 5_000_000 } } }), /patch\.weight must be at most 1000/);
  assert.match(bad({ change: { op: 'add', upstream: 'api', server: { url: 'http//127.0.0.11:9001', weight: 1 } } }), /server\.url must be/);
  assert.match(bad({ change: { op: 'drop', upstream: 'api' } }), /change\.op must be/);
  const result = checkPrimaryMessage({ __switchyard: 'status-result', id: 1, snapshots: [{ upstreams: { api: { servers: 'x' } } }] });
  assert.equal(result.ok, false);
  assert.equal(checkWorkerMessage({ __switchyard: 'passive', report: { upstream: 'api', url: 'http://a:1', failed: 'yes' } }).ok, false);
  assert.equal(checkWorkerMessage({ __switchyard: 'passive', report: { upstream: 'api', url: 'http://a:1', failed: true } }).ok, true);
});

test('a real cluster: true worker drops malformed primary messages with a log line each and applies the valid change', async () => {
  const { code, out } = await runScript(WORKER_APP, [], {});
  assert.equal(code, 0, out);
  const result = JSON.parse(/^RESULT (.*)$/m.exec(out)![1]!) as { servers: Array<[string, number]>; lines: string[] };
  assert.deepEqual(result.servers, [
    ['http://127.0.0.1:1', 1],
    ['http://127.0.0.7:80', 2],
  ]);
  assert.equal(result.lines.length, 7, result.lines.join('\n'));
  assert.ok(result.lines.every((l) => l.startsWith('cluster refused: dropped a malformed message from the primary: ')));
  assert.ok(result.lines.some((l) => /server\.weight must be at most 1000/.test(l)));
  assert.ok(result.lines.some((l) => /%XX escapes/.test(l)));
  assert.ok(result.lines.some((l) => /patch\.weight must be at most 1000/.test(l)));
});
