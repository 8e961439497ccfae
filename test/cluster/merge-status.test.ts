/** @module mergeStatus: the workers' snapshots summed server by server. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerStatus, StatusSnapshot } from '@switchyard/core';
import { mergeStatus } from '../../packages/core/src/cluster/merge-status.js';

function server(url: string, requests: number, headerMs: number, state: ServerStatus['state'] = 'up'): ServerStatus {
  return {
    url,
    state,
    backup: false,
    weight: 1,
    active: 1,
    requests,
    responses: { '1xx': 0, '2xx': requests, '3xx': 0, '4xx': 0, '5xx': 0 },
    fails: 1,
    unavailable: 0,
    headerMs,
    totalMs: headerMs,
  };
}
const snap = (...servers: ServerStatus[]): StatusSnapshot => ({ upstreams: { app: { balance: 'round-robin', servers } } });

it('sums counters and active, weights average times by requests, keeps the first state, counts workers', () => {
  const merged = mergeStatus(snap(server('http://a', 10, 2), server('http://b', 0, 0, 'draining')), [
    snap(server('http://a', 30, 6), server('http://b', 4, 1, 'up')),
  ]);
  const [a, b] = merged.upstreams.app!.servers;
  assert.deepEqual([a!.requests, a!.responses['2xx'], a!.active, a!.fails, a!.headerMs], [40, 40, 2, 2, 5]);
  assert.deepEqual([b!.requests, b!.state, b!.headerMs], [4, 'draining', 1]);
  assert.equal(merged.workers, 2);
});

it("a server one worker does not know yet is shown with the answering worker's numbers", () => {
  const merged = mergeStatus(snap(server('http://a', 1, 1), server('http://new', 2, 1)), [snap(server('http://a', 1, 1))]);
  assert.deepEqual(
    merged.upstreams.app!.servers.map((s) => s.requests),
    [2, 2],
  );
});
