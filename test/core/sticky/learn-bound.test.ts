/** @module The learn table stays within maxSessions under a million distinct session ids (memory is measured in bench/sticky-learn-memory.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type RequestInfo } from '@switchyard/core';

test('1M distinct learned sessions: the table holds maxSessions, the most recent ones', () => {
  const sy = createSwitchyard({
    upstreams: {
      pool: {
        servers: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'],
        sticky: { learn: { create: '$upstream_cookie_sid', lookup: '$cookie_sid', maxSessions: 1000 } },
      },
    },
  });
  const pool = sy.upstream('pool');
  const login: RequestInfo = { method: 'GET', url: '/', headers: {}, clientIp: '127.0.0.1' };
  const servedBy = new Map<number, string>();
  let largest = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const pick = pool.pick({ request: login });
    assert.ok(pick);
    pick.responseCookie({ 'set-cookie': [`sid=s${i}`] });
    pick.release({ status: 200 });
    if (i >= 998_999) servedBy.set(i, pick.server.url);
    if (i % 50_000 === 0) largest = Math.max(largest, sy.status().upstreams.pool?.sessions ?? 0);
  }
  assert.equal(sy.status().upstreams.pool?.sessions, 1000);
  assert.equal(largest, 1000);
  // The last 1000 are remembered (each goes back to its server), the one before is gone.
  for (const i of [999_000, 999_500, 999_999]) {
    const pick = pool.pick({ request: { ...login, headers: { cookie: `sid=s${i}` } } });
    assert.equal(pick?.server.url, servedBy.get(i));
    pick?.release({ status: 200 });
  }
  // s998999 was served by 8002; with 8002 draining, only a remembered session could still reach it.
  assert.equal(servedBy.get(998_999), 'http://127.0.0.1:8002');
  sy.setServer('pool', 'http://127.0.0.1:8002', { drain: true });
  const forgotten = pool.pick({ request: { ...login, headers: { cookie: 'sid=s998999' } } });
  assert.equal(forgotten?.server.url, 'http://127.0.0.1:8001', 'a forgotten session is balanced as unbound (never to the draining server)');
  forgotten?.release({ status: 200 });
});

test('the status page shows the learned sessions of an upstream with sticky learn (and nothing for others)', async () => {
  const { adminResponse } = await import('@switchyard/core');
  const sy = createSwitchyard({
    upstreams: {
      web: { servers: ['http://127.0.0.1:8001'], sticky: { learn: { create: '$upstream_cookie_sid', lookup: '$cookie_sid' } } },
      api: ['http://127.0.0.1:8002'],
    },
    status: { path: '/status' },
  });
  const pick = sy.upstream('web').pick({ request: { method: 'GET', url: '/', headers: {}, clientIp: '127.0.0.1' } });
  pick?.responseCookie({ 'set-cookie': ['sid=one'] });
  pick?.release({ status: 200 });
  const page = await adminResponse(sy, '/status', 'text/html');
  assert.match(String(page?.body), /data-upstream="web"><h2>web<span class="info">round-robin · 1 of 1 up · 1 sessions<\/span>/);
  assert.match(String(page?.body), /data-upstream="api"><h2>api<span class="info">round-robin · 1 of 1 up<\/span>/);
  const json = await adminResponse(sy, '/status', 'application/json');
  assert.equal(JSON.parse(String(json?.body)).upstreams.web.sessions, 1);
  await sy.close();
});
