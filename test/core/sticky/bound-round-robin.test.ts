/** @module A bound request and the round robin: charged once in a row as nginx's get_peer does with a sticky hint, never in least-conn. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, stickyServerId, type BalanceStrategyName, type RequestInfo, type UpstreamOptions } from '@switchyard/core';

const A = 'http://127.0.0.1:8001';
const B = 'http://127.0.0.1:8002';
const C = 'http://127.0.0.1:8003';
const NAME: Record<string, string> = { [A]: 'a', [B]: 'b', [C]: 'c' };

function setup(servers: UpstreamOptions['servers'] = [A, B, C], balance: BalanceStrategyName = 'round-robin') {
  const sy = createSwitchyard({ upstreams: { pool: { servers, balance, sticky: { cookie: { name: 'srv_id' } } } } }, { now: () => 1000, random: () => 0.5 });
  const pool = sy.upstream('pool');
  const go = (cookie?: string): string => {
    const request: RequestInfo = { method: 'GET', url: '/', headers: cookie === undefined ? {} : { cookie }, clientIp: '127.0.0.1' };
    const pick = pool.pick({ request });
    assert.ok(pick);
    pick.release({ status: 200 });
    return NAME[pick.server.url] as string;
  };
  return { go };
}

const boundTo = (url: string): string => `srv_id=${stickyServerId(url, undefined)}`;

test('nine requests bound to a, then six unbound ones go b, c, a, b, c, a (nginx 1.31 ngx_http_upstream_get_peer)', () => {
  const { go } = setup();
  const bound = Array.from({ length: 9 }, () => go(boundTo(A)));
  assert.deepEqual(bound, Array(9).fill('a'));
  assert.deepEqual(
    Array.from({ length: 6 }, () => go()),
    ['b', 'c', 'a', 'b', 'c', 'a'],
  );
});

test('bound requests interleaved with unbound ones keep the weights over all requests (5:1:1)', () => {
  // Traced by hand through nginx's loop: the first bound pick of a run is charged like a pick of
  // the balancer, the following ones in a row are not.
  const { go } = setup([{ url: A, weight: 5 }, B, C]);
  const seq = [go(boundTo(B)), go(boundTo(B)), go(), go(), go(), go(), go(), go()];
  // Charged once: current weights a 5, b 1 - 7 = -6, c 1; the second bound pick finds b at
  // -6 <= -(7 - 1) and leaves the weights alone; then (10,-5,2) a, (8,-4,3) a, (6,-3,4) a,
  // (4,-2,5) c, (9,-1,-1) a, (7,0,0) a.
  assert.deepEqual(seq, ['b', 'b', 'a', 'a', 'a', 'c', 'a', 'a']);
});

test('least-conn does not charge bound picks to the round robin of its ties', () => {
  const { go } = setup([A, B, C], 'least-conn');
  for (let i = 0; i < 9; i++) assert.equal(go(boundTo(A)), 'a');
  assert.deepEqual(
    Array.from({ length: 6 }, () => go()),
    ['a', 'b', 'c', 'a', 'b', 'c'],
  );
});
