/** @module `unix:/path` servers in the core: their connection info, and the names nginx hashes them by. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, upstreamRequestOptions } from '@switchyard/core';
import { writtenAuthority } from '../../../packages/core/src/balancer/server-info.js';

test('a unix server connects to its socket file; Host is the upstream name; its name is unix:/path', () => {
  const sy = createSwitchyard({ upstreams: { app: ['unix:/run/app.sock', 'http://127.0.0.1:8000'] } });
  const [unix, tcp] = sy.upstream('app').servers();
  assert.deepEqual(upstreamRequestOptions(unix!), { hostname: 'localhost', port: 80, socketPath: '/run/app.sock' });
  assert.equal(unix!.host, 'app');
  assert.equal(tcp!.host, '127.0.0.1:8000');
  assert.equal(writtenAuthority('unix:/run/app.sock'), 'unix:/run/app.sock');
  assert.deepEqual(
    sy.status().upstreams.app!.servers.map((s) => s.url),
    ['unix:/run/app.sock', 'http://127.0.0.1:8000'],
  );
  assert.equal(sy.removeServer('app', 'unix:/run/app.sock'), true);
});

test('consistent hashing over unix servers is stable and spreads keys', () => {
  const sy = createSwitchyard({
    upstreams: {
      app: { servers: ['unix:/run/a.sock', 'unix:/run/b.sock', 'unix:/run/c.sock'], balance: 'hash', hash: { key: '$request_uri', consistent: true } },
    },
  });
  const pickFor = (uri: string): string => {
    const pick = sy.upstream('app').pick({ key: uri });
    assert.ok(pick);
    pick.release({ status: 200 });
    return pick.server.url;
  };
  const first = Array.from({ length: 30 }, (_, i) => pickFor(`/k${i}`));
  const again = Array.from({ length: 30 }, (_, i) => pickFor(`/k${i}`));
  assert.deepEqual(again, first);
  assert.equal(new Set(first).size, 3);
});
