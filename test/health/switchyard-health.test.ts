/** @module Active health checks through createSwitchyard: mandatory, leaving rotation, re-admission after passive failure, probes are not traffic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type Switchyard, type SwitchyardEvents } from '@switchyard/core';
import { startBackend, type Backend } from '../helpers/backends.js';
import { waitFor } from './fake-pool.js';

/** A backend whose `/health` answers `health.status` (200 by default) and everything else its name. */
async function healthBackend(name: string): Promise<Backend & { health: { status: number } }> {
  const backend = await startBackend(name);
  const health = { status: 200 };
  backend.handle((req, res, b) => {
    if (req.url === '/health') {
      res.statusCode = health.status;
      res.end(health.status === 200 ? 'ok' : 'not ok');
    } else res.end(b.name);
  });
  return Object.assign(backend, { health });
}

function stateOf(sy: Switchyard, url: string): string | undefined {
  return sy.status().upstreams.api?.servers.find((s) => s.url === url)?.state;
}

function picks(sy: Switchyard, n: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (let i = 0; i < n; i++) {
    const p = sy.upstream('api').pick();
    out.push(p?.server.url);
    p?.release({ status: 200 });
  }
  return out;
}

function probeCount(sy: Switchyard): { count: () => number; of: (url: string) => number } {
  const seen: Array<SwitchyardEvents['health:probe']> = [];
  sy.on('health:probe', (e) => seen.push(e));
  return { count: () => seen.length, of: (url) => seen.filter((e) => e.url === url).length };
}

test('mandatory: no traffic before the first passing probe, for configured and for added servers', async (t) => {
  const a = await healthBackend('a');
  const b = await healthBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  a.health.status = 503;
  b.health.status = 503;
  const sy = createSwitchyard({
    upstreams: { api: { servers: [a.url], healthCheck: { path: '/health', interval: 30, mandatory: true } } },
  });
  t.after(() => sy.close());
  const probes = probeCount(sy);
  assert.equal(stateOf(sy, a.url), 'unhealthy');
  assert.deepEqual(picks(sy, 2), [undefined, undefined]);
  await waitFor(() => probes.of(a.url) >= 2, 'two failing probes of a');
  assert.deepEqual(picks(sy, 2), [undefined, undefined]);
  const ups: Array<SwitchyardEvents['server:up']> = [];
  sy.on('server:up', (e) => ups.push(e));
  a.health.status = 200;
  await waitFor(() => stateOf(sy, a.url) === 'up', 'a up');
  assert.deepEqual(ups, [{ upstream: 'api', url: a.url, reason: 'health' }]);
  assert.deepEqual(picks(sy, 2), [a.url, a.url]);

  sy.addServer('api', b.url);
  assert.equal(stateOf(sy, b.url), 'unhealthy');
  await waitFor(() => probes.of(b.url) >= 2, 'two failing probes of b');
  assert.deepEqual(picks(sy, 4), [a.url, a.url, a.url, a.url]);
  b.health.status = 200;
  await waitFor(() => stateOf(sy, b.url) === 'up', 'b up');
  assert.deepEqual(picks(sy, 4).sort(), [a.url, a.url, b.url, b.url].sort());
});

test('an unhealthy server leaves rotation at its failing probe and returns after `passes` passes', async (t) => {
  const a = await healthBackend('a');
  const b = await healthBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const sy = createSwitchyard({
    upstreams: { api: { servers: [a.url, b.url], healthCheck: { path: '/health', interval: 30, fails: 2, passes: 2 } } },
  });
  t.after(() => sy.close());
  const downs: Array<SwitchyardEvents['server:down']> = [];
  sy.on('server:down', (e) => downs.push(e));
  assert.deepEqual(picks(sy, 4), [a.url, b.url, a.url, b.url]);
  b.health.status = 500;
  await waitFor(() => stateOf(sy, b.url) === 'unhealthy', 'b unhealthy');
  assert.deepEqual(downs, [{ upstream: 'api', url: b.url, state: 'unhealthy', reason: 'health' }]);
  const health = sy.status().upstreams.api?.servers.find((s) => s.url === b.url)?.health;
  assert.equal(health?.ok, false);
  assert.equal(health?.status, 500);
  assert.equal(health?.consecutiveFails, 2);
  assert.deepEqual(picks(sy, 3), [a.url, a.url, a.url]);
  b.health.status = 200;
  await waitFor(() => stateOf(sy, b.url) === 'up', 'b up again');
  assert.equal(sy.status().upstreams.api?.servers.find((s) => s.url === b.url)?.health?.consecutivePasses, 2);
  assert.deepEqual(picks(sy, 4).sort(), [a.url, a.url, b.url, b.url].sort());
});

test('a passively failed server is re-admitted by the next passing probe', async (t) => {
  const a = await healthBackend('a');
  const b = await healthBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const sy = createSwitchyard({
    upstreams: {
      api: { servers: [{ url: a.url, maxFails: 1, failTimeout: '1h' }, b.url], healthCheck: { path: '/health', interval: 40 } },
    },
  });
  t.after(() => sy.close());
  const events: string[] = [];
  sy.on('server:down', (e) => events.push(`down ${e.url} ${e.state} ${e.reason}`));
  sy.on('server:up', (e) => events.push(`up ${e.url} ${e.reason}`));
  const p = sy.upstream('api').pick();
  assert.equal(p?.server.url, a.url);
  p?.release({ failure: 'error' });
  assert.equal(stateOf(sy, a.url), 'failed');
  // Without the probe a would stay out for an hour.
  await waitFor(() => stateOf(sy, a.url) === 'up', 'a re-admitted');
  assert.deepEqual(events, [`down ${a.url} failed passive`, `up ${a.url} health`]);
  // Back in rotation (its effective weight climbs back pick by pick, as nginx's does).
  assert.ok(picks(sy, 6).includes(a.url));
});

test('probes are never traffic: no requests, no active, no fails, no unavailable, even when they fail', async (t) => {
  const a = await healthBackend('a');
  const b = await healthBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  b.health.status = 500;
  const sy = createSwitchyard({ upstreams: { api: { servers: [a.url, b.url], healthCheck: { path: '/health', interval: 20 } } } });
  t.after(() => sy.close());
  const probes = probeCount(sy);
  await waitFor(() => probes.of(a.url) >= 5 && probes.of(b.url) >= 5, 'five probes each');
  for (const s of sy.status().upstreams.api?.servers ?? []) {
    assert.deepEqual(
      [s.url, s.requests, s.active, s.fails, s.unavailable, s.responses],
      [s.url, 0, 0, 0, 0, { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }],
    );
  }
  assert.equal(stateOf(sy, b.url), 'unhealthy');
  assert.ok(a.seen.length >= 5 && a.seen.every((r) => r.url === '/health'));
});

test('removing a server stops its probes; close() stops all of them', async (t) => {
  const a = await healthBackend('a');
  const b = await healthBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const sy = createSwitchyard({ upstreams: { api: { servers: [a.url, b.url], healthCheck: { path: '/health', interval: 20 } } } });
  const probes = probeCount(sy);
  await waitFor(() => probes.of(b.url) >= 2, 'probes of b');
  assert.equal(sy.removeServer('api', b.url), true);
  const bEvents = probes.of(b.url);
  // A probe cancelled by the removal may still reach b's socket: count only after things settled.
  const aBefore = probes.of(a.url);
  await waitFor(() => probes.of(a.url) >= aBefore + 2, 'probes of a after the removal');
  const bSeen = b.seen.length;
  await waitFor(() => probes.of(a.url) >= aBefore + 6, 'more probes of a');
  assert.equal(b.seen.length, bSeen);
  assert.equal(probes.of(b.url), bEvents);
  await sy.close();
  const aSeen = a.seen.length;
  const total = probes.count();
  // sleep-ok: an absence is the subject: no probe after close() (no live prober is left to count against).
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(a.seen.length, aSeen);
  assert.equal(probes.count(), total);
});

test('a failing probe below the `fails` threshold does not re-admit a passively failed server', async (t) => {
  const a = await healthBackend('a');
  const b = await healthBackend('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const sy = createSwitchyard({
    upstreams: {
      api: { servers: [{ url: a.url, maxFails: 1, failTimeout: '1h' }, b.url], healthCheck: { path: '/health', interval: 50, fails: 10 } },
    },
  });
  t.after(() => sy.close());
  const healthOfA = () => sy.status().upstreams.api?.servers[0]?.health;
  a.health.status = 500;
  await waitFor(() => healthOfA()?.ok === false, 'a failing probe of a');
  const p = sy.upstream('api').pick();
  assert.equal(p?.server.url, a.url);
  p?.release({ failure: 'error' });
  const before = healthOfA()?.consecutiveFails ?? 0;
  // More failing probes: the health verdict stays "healthy" (fails: 10), but nothing passed.
  await waitFor(() => (healthOfA()?.consecutiveFails ?? 0) >= before + 2, 'two more failing probes');
  assert.ok((healthOfA()?.consecutiveFails ?? 0) < 10);
  assert.equal(stateOf(sy, a.url), 'failed');
});
