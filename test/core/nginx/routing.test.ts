/** @module nginx fixtures driving a real switchyard: match() follows the nginx locations, picks follow the upstream blocks, and real loopback backends receive the rewritten paths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createSwitchyard, type Switchyard } from '@switchyard/core';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';
import { startBackend, type Backend } from '../../helpers/backends.js';

const read = (name: string): string => readFileSync(new URL(`../../fixtures/nginx/${name}`, import.meta.url), 'utf8');

/** Point the fixture's server addresses at the backends (address -> backend). */
function retarget(text: string, map: Record<string, Backend>): string {
  let out = text;
  for (const [addr, b] of Object.entries(map)) out = out.split(addr).join(`127.0.0.1:${b.port}`);
  return out;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Match, pick, send the request to the picked backend, release; returns the body. */
async function through(sy: Switchyard, url: string): Promise<string> {
  const route = sy.match('GET', url);
  assert.ok(route && route.redirect === undefined && route.internal === undefined, `no proxy route for ${url}`);
  const pick = sy.upstream(route.upstream).pick({ request: { method: 'GET', url, headers: {}, clientIp: '127.0.0.1' } });
  assert.ok(pick, `no live server for ${url}`);
  const res = await get(`${pick.server.origin}${route.path}`);
  pick.release({ status: res.status });
  return res.body;
}

test('three-servers.conf: round robin 1-2-3-1-2-3 across real backends', async (t) => {
  const backends = await Promise.all(['Server 1', 'Server 2', 'Server 3'].map((n) => startBackend(n)));
  t.after(() => Promise.all(backends.map((b) => b.stop())));
  const [b1, b2, b3] = backends as [Backend, Backend, Backend];
  const sy = createSwitchyard(parseNginxConfig(retarget(read('three-servers.conf'), { 'localhost:8000': b1, 'localhost:8001': b2, 'localhost:8002': b3 })));
  t.after(() => sy.close());
  const bodies: string[] = [];
  for (let i = 0; i < 6; i++) bodies.push(await through(sy, `/page/${i}`));
  assert.deepEqual(bodies, ['Server 1', 'Server 2', 'Server 3', 'Server 1', 'Server 2', 'Server 3']);
  assert.deepEqual(
    b1.seen.map((s) => s.url),
    ['/page/0', '/page/3'],
  );
});

test('weighted-failover.conf: nginx location order, prefix rewrite, weights, backup and down', async (t) => {
  const names = ['app-11', 'app-12', 'app-13', 'app-14', 'cache-1', 'cache-2'];
  const backends = await Promise.all(names.map((n) => startBackend(n)));
  t.after(() => Promise.all(backends.map((b) => b.stop())));
  const [a11, a12, a13, a14, c1, c2] = backends as [Backend, Backend, Backend, Backend, Backend, Backend];
  const text = retarget(read('weighted-failover.conf'), {
    '10.0.0.11:8080': a11,
    '10.0.0.12:8080': a12,
    '10.0.0.13:8080': a13,
    '10.0.0.14:8080': a14,
    '10.0.1.1:6081': c1,
    '10.0.1.2:6081': c2,
  });
  const sy = createSwitchyard({ nginx: text });
  t.after(() => sy.close());
  assert.deepEqual(sy.warnings, []);

  // Routing as nginx: the exact location answers itself, ^~ beats the regex, the regex beats /api/.
  assert.equal(sy.match('GET', '/healthz'), undefined);
  assert.deepEqual(sy.matchSite('GET', '/healthz', 'any.test', 'http'), {
    return: { status: 200, body: 'ok' },
    location: sy.config.locations.find((l) => l.key === '= /healthz'),
  });
  assert.equal(sy.match('GET', '/elsewhere'), undefined);
  const key = (url: string): string | undefined => sy.match('GET', url)?.location.key;
  assert.equal(key('/assets/logo.png'), '^~ /assets/');
  assert.equal(key('/api/logo.PNG'), '~* \\.(png|jpg)$');
  assert.equal(key('/api/users'), '/api/');
  const redirect = sy.match('GET', '/api?x=1');
  assert.equal(redirect?.redirect, '/api/?x=1');

  // /api/ -> app with /v1/: least_conn with weights 5:1 and nothing in flight is smooth weighted round robin.
  const bodies: string[] = [];
  for (let i = 0; i < 6; i++) bodies.push(await through(sy, `/api/users?id=${i}`));
  assert.deepEqual(bodies, ['app-11', 'app-11', 'app-11', 'app-12', 'app-11', 'app-11']);
  assert.deepEqual(
    a12.seen.map((s) => s.url),
    ['/v1/users?id=3'],
  );
  assert.equal(a13.seen.length + a14.seen.length, 0);

  // Primaries unavailable -> the backup takes over; the down server never does.
  sy.setServer('app', a11.url, { down: true });
  sy.setServer('app', a12.url, { down: true });
  assert.equal(await through(sy, '/api/x'), 'app-13');
  assert.equal(a14.seen.length, 0);

  // hash $request_uri consistent: the same URI always lands on the same cache server, path as is.
  const first = await through(sy, '/assets/a.css');
  for (let i = 0; i < 3; i++) assert.equal(await through(sy, '/assets/a.css'), first);
  const hit = first === 'cache-1' ? c1 : c2;
  assert.deepEqual(
    hit.seen.map((s) => s.url),
    ['/assets/a.css', '/assets/a.css', '/assets/a.css', '/assets/a.css'],
  );
});
