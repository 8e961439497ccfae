/** @module The probe loop against real backends: thresholds, mandatory, hanging probes, body and status matching, stop/unwatch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { SwitchyardEvents } from '@switchyard/core';
import { startBackend } from '../helpers/backends.js';
import { startHealthChecks } from '../../packages/core/src/health/health-checks.js';
import { PROBE_BODY_LIMIT } from '../../packages/core/src/health/probe.js';
import { configWith, fakePool, recordingEnv, waitFor, type HealthCall } from './fake-pool.js';

/** A backend answering its probes with these statuses in order, then 200 forever. */
async function scripted(statuses: number[]) {
  const backend = await startBackend('scripted');
  const queue = [...statuses];
  backend.handle((_req, res) => {
    res.statusCode = queue.shift() ?? 200;
    res.end('x');
  });
  return backend;
}

test('fails: 3 keeps a server up through fail, fail, pass, fail, fail; the third consecutive failure marks it down; passes: 2 brings it back', async (t) => {
  const backend = await scripted([500, 500, 200, 500, 500, 500, 200, 200]);
  t.after(() => backend.stop());
  const calls: HealthCall[] = [];
  const events: Array<SwitchyardEvents['health:probe']> = [];
  const hc = startHealthChecks(configWith([backend.url], { fails: 3, passes: 2 }), new Map([['api', fakePool(calls)]]), recordingEnv(events));
  t.after(() => hc.stop());
  await waitFor(() => calls.length >= 8, '8 probes');
  await hc.stop();
  const first = calls.slice(0, 8);
  assert.deepEqual(
    first.map((c) => c.healthy),
    [true, true, true, true, true, false, false, true],
  );
  assert.deepEqual(
    first.map((c) => c.last.ok),
    [false, false, true, false, false, false, true, true],
  );
  assert.deepEqual(
    first.map((c) => c.last.status),
    [500, 500, 200, 500, 500, 500, 200, 200],
  );
  assert.deepEqual(
    first.map((c) => c.last.consecutiveFails),
    [1, 2, 0, 1, 2, 3, 0, 0],
  );
  assert.deepEqual(
    first.map((c) => c.last.consecutivePasses),
    [0, 0, 1, 0, 0, 0, 1, 2],
  );
  assert.equal(first[0]?.last.error, 'status 500 not in 200-399');
  assert.ok(first.every((c) => c.url === backend.url && typeof c.last.checkedAt === 'number' && c.last.checkedAt > 1.6e12));
  assert.deepEqual(events.slice(0, 3), [
    { upstream: 'api', url: backend.url, ok: false, status: 500, error: 'status 500 not in 200-399' },
    { upstream: 'api', url: backend.url, ok: false, status: 500, error: 'status 500 not in 200-399' },
    { upstream: 'api', url: backend.url, ok: true, status: 200 },
  ]);
});

test('probes are plain GETs on a fresh connection with the server host, a User-Agent and the configured path', async (t) => {
  const backend = await startBackend('plain');
  t.after(() => backend.stop());
  const calls: HealthCall[] = [];
  const hc = startHealthChecks(configWith([backend.url], { path: '/healthz?full=1' }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
  t.after(() => hc.stop());
  await waitFor(() => calls.length >= 2, '2 probes');
  await hc.stop();
  const seen = backend.seen[0];
  assert.ok(seen);
  assert.equal(seen.method, 'GET');
  assert.equal(seen.url, '/healthz?full=1');
  assert.equal(seen.headers.host, `127.0.0.1:${backend.port}`);
  assert.equal(seen.headers['user-agent'], 'switchyard-health-check');
  assert.equal(seen.headers.connection, 'close');
});

test('a server url with a path prefix is probed under that prefix', async (t) => {
  const backend = await startBackend('prefixed');
  t.after(() => backend.stop());
  const calls: HealthCall[] = [];
  const hc = startHealthChecks(configWith([`${backend.url}/base`], { path: '/health' }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
  t.after(() => hc.stop());
  await waitFor(() => calls.length >= 1, 'a probe');
  await hc.stop();
  assert.equal(backend.seen[0]?.url, '/base/health');
});

test('a hanging probe fails at its timeout, its socket is destroyed, and the next probe never overlaps it', async (t) => {
  const backend = await startBackend('hanging');
  t.after(() => backend.stop());
  let open = 0;
  let maxOpen = 0;
  let closed = 0;
  backend.handle((req: IncomingMessage) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    req.socket.on('close', () => {
      open--;
      closed++;
    });
    // never answers
  });
  const calls: HealthCall[] = [];
  const hc = startHealthChecks(configWith([backend.url], { timeoutMs: 60, intervalMs: 10 }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
  t.after(() => hc.stop());
  await waitFor(() => calls.length >= 3 && closed >= 3, '3 timed-out probes');
  await hc.stop();
  assert.deepEqual(
    calls.slice(0, 3).map((c) => [c.healthy, c.last.ok, c.last.error]),
    [
      [false, false, 'timed out after 60ms'],
      [false, false, 'timed out after 60ms'],
      [false, false, 'timed out after 60ms'],
    ],
  );
  assert.equal(maxOpen, 1);
});

test('stop() destroys a probe in flight and no result is reported afterwards', async (t) => {
  const backend = await startBackend('stuck');
  t.after(() => backend.stop());
  let arrived = 0;
  let closed = 0;
  backend.handle((req) => {
    arrived++;
    req.socket.on('close', () => closed++);
  });
  const calls: HealthCall[] = [];
  const hc = startHealthChecks(configWith([backend.url], { timeoutMs: 60000 }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
  await waitFor(() => arrived === 1, 'the probe to arrive');
  await hc.stop();
  await waitFor(() => closed === 1, 'the probe socket to close');
  // sleep-ok: an absence is the subject: no result reported a while after stop().
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calls.length, 0);
  assert.equal(arrived, 1);
});

test('body match: a string must be contained, a RegExp (even global) must match every time, and only the first 64 KiB are read', async (t) => {
  const backend = await startBackend('bodies');
  t.after(() => backend.stop());
  const bodies: Record<string, string> = {
    '/ok': 'status: ok',
    '/degraded': 'status: degraded',
    '/big': 'y'.repeat(PROBE_BODY_LIMIT) + 'status: ok',
  };
  backend.handle((req, res) => res.end(bodies[req.url ?? ''] ?? 'none'));
  const run = async (path: string, body: RegExp | string, count: number): Promise<HealthCall[]> => {
    const calls: HealthCall[] = [];
    const hc = startHealthChecks(configWith([backend.url], { path, body }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
    try {
      await waitFor(() => calls.length >= count, `${count} probes of ${path}`);
    } finally {
      await hc.stop();
    }
    return calls.slice(0, count);
  };
  assert.deepEqual(
    (await run('/ok', 'ok', 2)).map((c) => c.last.ok),
    [true, true],
  );
  assert.deepEqual(
    (await run('/ok', /^status: (ok|fine)$/g, 3)).map((c) => c.last.ok),
    [true, true, true],
  );
  const degraded = await run('/degraded', /status: ok/, 1);
  assert.deepEqual(
    degraded.map((c) => [c.healthy, c.last.ok, c.last.status, c.last.error]),
    [[false, false, 200, 'body did not match']],
  );
  assert.deepEqual(
    (await run('/big', 'status: ok', 1)).map((c) => c.last.ok),
    [false],
  );
  assert.deepEqual(
    (await run('/big', /^y+$/, 1)).map((c) => c.last.ok),
    [true],
  );
});

test('status ranges: exact codes, several ranges, and everything else fails', async (t) => {
  const backend = await startBackend('statuses');
  t.after(() => backend.stop());
  backend.handle((req, res) => {
    res.statusCode = Number((req.url ?? '/200').slice(1));
    res.end();
  });
  const run = async (path: string, status: Array<[number, number]>): Promise<HealthCall> => {
    const calls: HealthCall[] = [];
    const hc = startHealthChecks(configWith([backend.url], { path, status }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
    try {
      await waitFor(() => calls.length >= 1, `a probe of ${path}`);
    } finally {
      await hc.stop();
    }
    return calls[0] as HealthCall;
  };
  assert.equal((await run('/204', [[200, 200]])).last.error, 'status 204 not in 200');
  assert.equal((await run('/200', [[200, 200]])).last.ok, true);
  assert.equal(
    (
      await run('/418', [
        [200, 299],
        [418, 418],
      ])
    ).last.ok,
    true,
  );
  assert.equal((await run('/302', [[200, 399]])).last.ok, true);
  const bad = await run('/404', [
    [200, 299],
    [418, 418],
  ]);
  assert.deepEqual([bad.last.ok, bad.last.status, bad.last.error], [false, 404, 'status 404 not in 200-299,418']);
});

test('a refused connection fails the probe with the error code', async (t) => {
  const backend = await startBackend('gone');
  t.after(() => backend.stop());
  await backend.stop();
  const calls: HealthCall[] = [];
  const hc = startHealthChecks(configWith([backend.url], {}), new Map([['api', fakePool(calls)]]), recordingEnv([]));
  t.after(() => hc.stop());
  await waitFor(() => calls.length >= 1, 'a probe');
  await hc.stop();
  assert.equal(calls[0]?.healthy, false);
  assert.match(calls[0]?.last.error ?? '', /ECONNREFUSED/);
});

test('mandatory: the verdict starts unhealthy and the first pass admits the server even with passes: 3', async (t) => {
  const backend = await scripted([503, 200, 500, 200]);
  t.after(() => backend.stop());
  const calls: HealthCall[] = [];
  const hc = startHealthChecks(configWith([backend.url], { mandatory: true, passes: 3, fails: 1 }), new Map([['api', fakePool(calls)]]), recordingEnv([]));
  t.after(() => hc.stop());
  await waitFor(() => calls.length >= 6, '6 probes');
  await hc.stop();
  // 503: still checking; 200: first pass admits; 500: down; 200, 200: not yet (passes 3); third 200: up.
  assert.deepEqual(
    calls.slice(0, 6).map((c) => c.healthy),
    [false, true, false, false, false, true],
  );
});

test('watch() probes a server added later, unwatch() stops it, and a server that left the pool mid-probe is not reported', async (t) => {
  const a = await startBackend('a');
  const b = await startBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const calls: HealthCall[] = [];
  const events: Array<SwitchyardEvents['health:probe']> = [];
  let openOnB = 0;
  let maxOpenOnB = 0;
  b.handle((req, res, backend) => {
    openOnB++;
    maxOpenOnB = Math.max(maxOpenOnB, openOnB);
    req.socket.on('close', () => openOnB--);
    res.end(backend.name);
  });
  const known = new Set([a.url, b.url]);
  const hc = startHealthChecks(configWith([a.url], {}), new Map([['api', fakePool(calls, known)]]), recordingEnv(events));
  t.after(() => hc.stop());
  hc.watch('api', b.url);
  hc.watch('api', b.url); // already watched: no second loop
  hc.watch('nope', b.url); // unknown upstream: ignored
  await waitFor(() => calls.filter((c) => c.url === b.url).length >= 3, 'probes of b');
  hc.unwatch('api', b.url);
  const bProbes = b.seen.length;
  known.delete(a.url); // a "left the pool": its results are dropped, not thrown
  const before = events.filter((e) => e.url === a.url).length;
  // a is still probed (two more probes reach it) while its results are dropped.
  const aSeen = a.seen.length;
  await waitFor(() => a.seen.length >= aSeen + 2, 'two more probes of a');
  await hc.stop();
  assert.equal(b.seen.length, bProbes);
  assert.equal(events.filter((e) => e.url === a.url).length, before);
  // Never two loops on b: each probe of b finished before the next one started.
  assert.equal(maxOpenOnB, 1);
});
