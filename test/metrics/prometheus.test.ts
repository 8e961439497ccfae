/** @module Prometheus metrics: exact counters, gauges and histogram counts for known traffic, the metrics route, and a missing prom-client. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as promClient from 'prom-client';
import { adminResponse, createPrometheusMetrics, createSwitchyard, type PromClientLike } from '@switchyard/core';
import { PROM_CLIENT_MISSING } from '../../packages/core/src/metrics/load-prom-client.js';
import { parseExposition } from './exposition.js';

const A = 'http://127.0.0.1:8001';
const B = 'http://127.0.0.1:8002';
const C = 'http://127.0.0.1:8003';

test('counters and gauges mirror status() at scrape time, with exact values', async (t) => {
  const sy = createSwitchyard({
    upstreams: { api: { servers: [{ url: A, maxFails: 1, failTimeout: '1h' }, B, { url: C, down: true }], retry: { on: ['error', 503] } } },
  });
  t.after(() => sy.close());
  const metrics = createPrometheusMetrics(sy, promClient);
  t.after(() => metrics.stop());
  const api = sy.upstream('api');
  // a: 200, 503 moved on from (a failure: retry.on has 503) -> failed; b: 200 x3, 404, and one left in flight.
  const statuses: Array<[string, number]> = [];
  const first = api.pick();
  assert.equal(first?.server.url, A);
  first?.release({ status: 200, headerMs: 2, totalMs: 4 });
  const second = api.pick();
  assert.equal(second?.server.url, B);
  second?.release({ status: 200, headerMs: 2, totalMs: 30 });
  const third = api.pick();
  assert.equal(third?.server.url, A);
  third?.release({ status: 503, next: true });
  for (const s of [200, 200, 404]) {
    const p = api.pick();
    assert.equal(p?.server.url, B);
    p?.release({ status: s, totalMs: 700 });
    statuses.push([B, s]);
  }
  const inFlight = api.pick();
  assert.equal(inFlight?.server.url, B);

  const text = await metrics.render();
  const m = parseExposition(text);
  const req = (server: string, code_class: string) => m.value('switchyard_upstream_requests_total', { upstream: 'api', server, code_class });
  assert.deepEqual([req(A, '2xx'), req(A, '5xx'), req(A, '4xx'), req(B, '2xx'), req(B, '4xx'), req(B, '5xx'), req(C, '2xx')], [1, 1, 0, 3, 1, 0, 0]);
  assert.equal(m.value('switchyard_upstream_active', { upstream: 'api', server: B }), 1);
  assert.equal(m.value('switchyard_upstream_active', { upstream: 'api', server: A }), 0);
  assert.equal(m.value('switchyard_upstream_fails_total', { upstream: 'api', server: A }), 1);
  assert.equal(m.value('switchyard_upstream_unavailable_total', { upstream: 'api', server: A }), 1);
  assert.equal(m.value('switchyard_upstream_fails_total', { upstream: 'api', server: B }), 0);
  assert.deepEqual(
    [A, B, C].map((server) => m.value('switchyard_upstream_server_up', { upstream: 'api', server })),
    [0, 1, 0],
  );
  assert.equal(m.value('switchyard_upstream_server_state', { upstream: 'api', server: A, state: 'failed' }), 1);
  assert.equal(m.value('switchyard_upstream_server_state', { upstream: 'api', server: A, state: 'up' }), 0);
  assert.equal(m.value('switchyard_upstream_server_state', { upstream: 'api', server: C, state: 'down' }), 1);
  assert.equal(m.value('switchyard_upstream_weight', { upstream: 'api', server: B }), 1);
  assert.equal(m.types.get('switchyard_upstream_requests_total'), 'counter');
  assert.equal(m.types.get('switchyard_upstream_active'), 'gauge');
  assert.equal(m.types.get('switchyard_upstream_response_seconds'), 'histogram');
  assert.equal(m.types.get('switchyard_retries_total'), 'counter');

  // Runtime changes show at the next scrape; a removed server's series disappear.
  inFlight?.release({ status: 200 });
  sy.removeServer('api', C);
  const after = parseExposition(await metrics.render());
  assert.equal(after.value('switchyard_upstream_active', { upstream: 'api', server: B }), 0);
  assert.equal(after.value('switchyard_upstream_requests_total', { upstream: 'api', server: B, code_class: '2xx' }), 4);
  assert.deepEqual(after.find('switchyard_upstream_server_up', { server: C }), []);
  // Servers come and go with DNS/discover: a removed server's histogram series go too.
  assert.equal(after.value('switchyard_upstream_response_seconds_count', { upstream: 'api', server: B }), 4);
  sy.removeServer('api', B);
  const gone = parseExposition(await metrics.render());
  assert.deepEqual(gone.find('switchyard_upstream_response_seconds_count', { server: B }), []);
});

test('the response-time histogram observes every try that got a status, in seconds', async (t) => {
  const sy = createSwitchyard({ upstreams: { api: [A, B] } });
  t.after(() => sy.close());
  const metrics = createPrometheusMetrics(sy, promClient, { prefix: 'lb_', buckets: [0.01, 0.1, 1] });
  t.after(() => metrics.stop());
  const times = [5, 50, 500, 5000, 20, 2];
  for (const totalMs of times) sy.upstream('api').pick()?.release({ status: 200, headerMs: 1, totalMs });
  sy.upstream('api').pick()?.release({ failure: 'error' });
  const m = parseExposition(await metrics.render());
  const bucket = (server: string, le: string) => m.value('lb_upstream_response_seconds_bucket', { upstream: 'api', server, le });
  // a got 5, 500, 20 ms; b got 50, 5000, 2 ms.
  assert.deepEqual([bucket(A, '0.01'), bucket(A, '0.1'), bucket(A, '1'), bucket(A, '+Inf')], [1, 2, 3, 3]);
  assert.deepEqual([bucket(B, '0.01'), bucket(B, '0.1'), bucket(B, '1'), bucket(B, '+Inf')], [1, 2, 2, 3]);
  assert.equal(m.value('lb_upstream_response_seconds_count', { upstream: 'api', server: A }), 3);
  assert.ok(Math.abs(m.value('lb_upstream_response_seconds_sum', { upstream: 'api', server: B }) - 5.052) < 1e-9);
});

test('retries and no-live-upstream are counted from events', async (t) => {
  // maxFails 0: the failed tries never take a server out, so every request has a server to retry on.
  const sy = createSwitchyard({
    upstreams: {
      api: [
        { url: A, maxFails: 0 },
        { url: B, maxFails: 0 },
      ],
      solo: [{ url: C, down: true }],
    },
    locations: { '/': 'api' },
  });
  t.after(() => sy.close());
  const metrics = createPrometheusMetrics(sy, promClient);
  t.after(() => metrics.stop());
  const route = sy.match('GET', '/x');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const request = { method: 'GET', url: '/x', headers: {}, clientIp: '127.0.0.1' };
  for (let i = 0; i < 3; i++) {
    const first = sy.forward(route, request, { replayableBody: true }).first();
    assert.ok(first);
    const decision = first.end({ failure: 'error' }, { requestSent: false, responseStarted: false });
    assert.equal(decision.action, 'retry');
    if (decision.action === 'retry') decision.attempt.end({ status: 200 }, { requestSent: true, responseStarted: true });
  }
  sy.upstream('solo').pick();
  sy.upstream('solo').pick();
  const m = parseExposition(await metrics.render());
  assert.equal(m.value('switchyard_retries_total', { upstream: 'api' }), 3);
  assert.equal(m.value('switchyard_no_live_upstream_total', { upstream: 'solo' }), 2);
});

test('retries the budget refused are counted apart, by reason', async (t) => {
  const sy = createSwitchyard({
    upstreams: {
      api: {
        servers: [
          { url: A, maxFails: 0 },
          { url: B, maxFails: 0 },
        ],
        retry: { budget: { percent: 0, minPerSecond: 0 } },
      },
    },
    locations: { '/': 'api' },
  });
  t.after(() => sy.close());
  const metrics = createPrometheusMetrics(sy, promClient);
  t.after(() => metrics.stop());
  const route = sy.match('GET', '/x');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const request = { method: 'GET', url: '/x', headers: {}, clientIp: '127.0.0.1' };
  for (let i = 0; i < 2; i++) {
    const first = sy.forward(route, request, { replayableBody: true }).first();
    assert.ok(first);
    assert.equal(first.end({ failure: 'timeout' }, { requestSent: true, responseStarted: false }).action, 'fail');
  }
  const m = parseExposition(await metrics.render());
  assert.equal(m.value('switchyard_retries_refused_total', { upstream: 'api', reason: 'budget' }), 2);
  assert.throws(() => m.value('switchyard_retries_total', { upstream: 'api' }), /0 samples/, 'no retry was made');
});

test('stop() unsubscribes and removes the metrics, so a second set can register in the same registry', async (t) => {
  const sy = createSwitchyard({ upstreams: { api: [A] } });
  t.after(() => sy.close());
  const registry = new promClient.Registry();
  const one = createPrometheusMetrics(sy, promClient, { registry });
  assert.throws(() => createPrometheusMetrics(sy, promClient, { registry }), /already been registered/);
  one.stop();
  assert.equal(await registry.metrics(), '\n');
  const two = createPrometheusMetrics(sy, promClient, { registry });
  t.after(() => two.stop());
  assert.equal(two.registry, registry);
  assert.match(await two.render(), /switchyard_upstream_requests_total\{upstream="api",server="http:\/\/127.0.0.1:8001",code_class="2xx"\} 0/);
});

test('the metrics route: loads prom-client once per instance and serves the exposition; a missing prom-client is a clear 503', async (t) => {
  const sy = createSwitchyard({ upstreams: { api: [A] }, metrics: { path: '/metrics' }, status: { path: '/status' } });
  t.after(() => sy.close());
  let loads = 0;
  const loadPromClient = async (): Promise<PromClientLike> => {
    loads++;
    return promClient;
  };
  sy.upstream('api').pick()?.release({ status: 201 });
  const first = await adminResponse(sy, '/metrics', 'text/html', { loadPromClient });
  const second = await adminResponse(sy, '/metrics?x', undefined, { loadPromClient });
  assert.equal(loads, 1);
  assert.equal(first?.status, 200);
  assert.equal(first?.headers['content-type'], promClient.register.contentType);
  assert.equal(first?.headers['cache-control'], 'no-store');
  assert.equal(parseExposition(second?.body ?? '').value('switchyard_upstream_requests_total', { upstream: 'api', server: A, code_class: '2xx' }), 1);

  // The default loader finds the workspace's prom-client.
  const sy2 = createSwitchyard({ upstreams: { api: [A] }, metrics: { path: '/metrics' } });
  t.after(() => sy2.close());
  assert.equal((await adminResponse(sy2, '/metrics', undefined))?.status, 200);

  const sy3 = createSwitchyard({ upstreams: { api: [A] }, metrics: { path: '/metrics' } });
  t.after(() => sy3.close());
  const missing = async (): Promise<PromClientLike> => {
    throw new Error(PROM_CLIENT_MISSING);
  };
  const res = await adminResponse(sy3, '/metrics', undefined, { loadPromClient: missing });
  assert.equal(res?.status, 503);
  assert.equal(res?.headers['content-type'], 'text/plain; charset=utf-8');
  assert.match(res?.body ?? '', /^prom-client is not installed/);
});
