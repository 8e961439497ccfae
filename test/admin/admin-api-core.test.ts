/** @module The admin API in core: configuration errors, the constant-time token check, and the 409 for servers from DNS/discover. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { adminApiResponse, createSwitchyard, SwitchyardConfigError } from '@switchyard/core';
import { tokenMatches } from '../../packages/core/src/admin/admin-auth.js';
import { internalsOf } from '../../packages/core/src/admin/instance-internals.js';
import { resolveServer } from '../../packages/core/src/config/resolve-server.js';

const TOKEN = 'core-token-0123456789';

it('admin needs a token or authorize, a path, and a token long enough', () => {
  const base = { upstreams: { a: ['http://127.0.0.1:9001'] } };
  assert.throws(
    () => createSwitchyard({ ...base, admin: { path: '/api' } }),
    (e: unknown) => e instanceof SwitchyardConfigError && /^admin needs a token or an authorize function/.test(e.message),
  );
  assert.throws(() => createSwitchyard({ ...base, admin: { path: 'api', token: TOKEN } }), /admin\.path must be a path/);
  assert.throws(
    () => createSwitchyard({ ...base, admin: { path: '/api', token: 'short' } }),
    /admin\.token must be a string of at least 16 characters \(a random secret\), got 5 characters/,
  );
  assert.throws(
    () => createSwitchyard({ ...base, admin: { path: '/api', token: TOKEN, tokn: 1 } as never }),
    /admin\.tokn is not a known option \(did you mean token\?\)/,
  );
  assert.throws(
    () => createSwitchyard({ ...base, status: { path: '/api/status' }, admin: { path: '/api', token: TOKEN } }),
    /admin\.path must not contain the status/,
  );
  assert.doesNotThrow(() => createSwitchyard({ ...base, admin: { path: '/api', authorize: () => true } }));
});

it('tokenMatches compares hashes: equal only for the same token, whatever the lengths', () => {
  assert.equal(tokenMatches(TOKEN, TOKEN), true);
  assert.equal(tokenMatches(`${TOKEN}x`, TOKEN), false);
  assert.equal(tokenMatches('', TOKEN), false);
  assert.equal(tokenMatches(TOKEN.slice(0, -1), TOKEN), false);
});

it('servers from DNS or discover answer 409 with the reason; config and api servers can be edited', async () => {
  const sy = createSwitchyard({ upstreams: { a: ['http://127.0.0.1:9001'] }, admin: { path: '/api', token: TOKEN } });
  const pool = internalsOf(sy).pools.get('a')!;
  pool.addServer({ ...resolveServer('http://127.0.0.1:9002', 'x'), source: 'dns' });
  pool.addServer({ ...resolveServer('http://127.0.0.1:9003', 'x'), source: 'discover' });
  sy.addServer('a', 'http://127.0.0.1:9004');
  const patch = (id: number) =>
    adminApiResponse(sy, {
      method: 'PATCH',
      url: `/api/upstreams/a/servers/${id}`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      clientIp: '127.0.0.1',
      body: '{"down":true}',
    });
  const answers = await Promise.all([0, 1, 2, 3].map(patch));
  assert.deepEqual(
    answers.map((a) => a?.status),
    [200, 409, 409, 200],
  );
  assert.match(answers[1]!.body, /comes from DNS/);
  assert.match(answers[2]!.body, /discover/);
  assert.deepEqual(
    sy.status().upstreams.a!.servers.map((s) => s.state),
    ['down', 'up', 'up', 'down'],
  );
  const del = await adminApiResponse(sy, {
    method: 'DELETE',
    url: '/api/upstreams/a/servers/1',
    headers: { authorization: `Bearer ${TOKEN}` },
    clientIp: '127.0.0.1',
  });
  assert.equal(del?.status, 409);
  assert.equal(await adminApiResponse(sy, { method: 'GET', url: '/apix', headers: {}, clientIp: '127.0.0.1' }), undefined);
  await sy.close();
});

it('setServer validates the new fields with the configuration messages', async () => {
  const sy = createSwitchyard({ upstreams: { a: ['http://127.0.0.1:9001'] } });
  assert.throws(
    () => sy.setServer('a', 'http://127.0.0.1:9001', { failTimeout: 'soon' }),
    /setServer\("a", "http:\/\/127\.0\.0\.1:9001"\)\.failTimeout must be a duration/,
  );
  sy.setServer('a', 'http://127.0.0.1:9001', { maxConns: 5, slowStart: '10s' });
  const view = internalsOf(sy).pools.get('a')!.adminServers()[0]!;
  assert.deepEqual([view.settings.maxConns, view.settings.slowStartMs], [5, 10_000]);
  await sy.close();
});

it('every change is logged with who, from where and what, never the token', async () => {
  const sy = createSwitchyard({ upstreams: { a: ['http://127.0.0.1:9001'] }, admin: { path: '/api', token: TOKEN } });
  const lines: string[] = [];
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const ask = (method: string, url: string, body?: string) =>
    adminApiResponse(sy, { method, url, headers, clientIp: '10.1.2.3', ...(body !== undefined ? { body } : {}) }, { log: (m) => lines.push(m) });
  assert.equal((await ask('POST', '/api/upstreams/a/servers', '{"url":"http://127.0.0.1:9002"}'))?.status, 201);
  assert.equal((await ask('PATCH', '/api/upstreams/a/servers/1', '{"drain":true,"failTimeout":"30s"}'))?.status, 200);
  assert.equal((await ask('DELETE', '/api/upstreams/a/servers/1'))?.status, 200);
  assert.equal((await ask('GET', '/api/upstreams'))?.status, 200);
  assert.deepEqual(lines, [
    'switchyard: admin token from 10.1.2.3: added http://127.0.0.1:9002 to a',
    'switchyard: admin token from 10.1.2.3: a http://127.0.0.1:9002 (id 1) set drain=true failTimeout=30000',
    'switchyard: admin token from 10.1.2.3: removed http://127.0.0.1:9002 (id 1) from a',
  ]);
  assert.ok(lines.every((l) => !l.includes(TOKEN)));
  await sy.close();
});

it('servers a discover hook brought are marked source "discover" and refused one by one (409); a config server beside them is not', async () => {
  const sy = createSwitchyard({
    upstreams: {
      a: {
        servers: ['http://127.0.0.1:9001'],
        discover: ({ update }) => update(['http://127.0.0.1:9005', 'http://127.0.0.1:9006']),
      },
    },
    admin: { path: '/api', token: TOKEN },
  });
  await sy.ready();
  const listed = await adminApiResponse(sy, { method: 'GET', url: '/api/upstreams/a/servers', headers: {}, clientIp: '127.0.0.1' });
  const servers = JSON.parse(listed!.body) as Array<{ id: number; url: string; source: string }>;
  assert.deepEqual(
    servers.map((s) => [s.url, s.source]),
    [
      ['http://127.0.0.1:9001', 'config'],
      ['http://127.0.0.1:9005', 'discover'],
      ['http://127.0.0.1:9006', 'discover'],
    ],
  );
  const patch = (id: number) =>
    adminApiResponse(sy, {
      method: 'PATCH',
      url: `/api/upstreams/a/servers/${id}`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      clientIp: '127.0.0.1',
      body: '{"drain":true}',
    });
  const answers = await Promise.all(servers.map((s) => patch(s.id)));
  assert.deepEqual(
    answers.map((a) => a?.status),
    [200, 409, 409],
  );
  await sy.close();
});
