/** @module Scenario: the HTTP admin API through both adapters (auth, drain, add, delete with a request in flight, bad bodies, unknown names). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { bodies, call, waitFor, type Answer } from './support/http.js';
import { startBackend, type Backend } from '../helpers/backends.js';

const TOKEN = 'test-token-0123456789abcdef';
const API = '/switchyard/api';
const auth = { authorization: `Bearer ${TOKEN}` };

function send(url: string, method: string, value: unknown, headers: Record<string, string> = auth): Promise<Answer> {
  return call(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: typeof value === 'string' ? value : JSON.stringify(value) });
}

interface ServerJson {
  id: number;
  url: string;
  state: string;
  drain: boolean;
  source: string;
}

for (const driver of drivers) {
  describe(`${driver.name}: admin API`, () => {
    it('lists servers with ids, refuses writes without the token (401) and drains through PATCH', async (t) => {
      const backends = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        // A catch-all location: the admin path still wins.
        locations: { '/': 'app' },
        admin: { path: API, token: TOKEN },
      });
      const list = await call(`${proxy.url}${API}/upstreams/app/servers`);
      assert.equal(list.status, 200);
      const servers = JSON.parse(list.body) as ServerJson[];
      assert.deepEqual(
        servers.map((s) => [s.id, s.url, s.state, s.source]),
        [
          [0, backends[0]!.url, 'up', 'config'],
          [1, backends[1]!.url, 'up', 'config'],
        ],
      );
      const all = JSON.parse((await call(`${proxy.url}${API}/upstreams`)).body) as Record<string, { servers: ServerJson[] }>;
      assert.deepEqual(Object.keys(all), ['app']);
      assert.equal(backends[0]!.seen.length + backends[1]!.seen.length, 0, 'API reads never reach a backend');

      const noToken = await send(`${proxy.url}${API}/upstreams/app/servers/1`, 'PATCH', { drain: true }, {});
      assert.equal(noToken.status, 401);
      assert.match(String(noToken.headers['www-authenticate']), /Bearer/);
      const wrong = await send(`${proxy.url}${API}/upstreams/app/servers/1`, 'PATCH', { drain: true }, { authorization: 'Bearer nope-nope-nope-nope' });
      assert.equal(wrong.status, 401);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[1]!.state, 'up');

      const drained = await send(`${proxy.url}${API}/upstreams/app/servers/1`, 'PATCH', { drain: true });
      assert.equal(drained.status, 200, drained.body);
      assert.equal((JSON.parse(drained.body) as ServerJson).state, 'draining');
      const before = backends[1]!.seen.length;
      const got = await bodies(`${proxy.url}/x`, 6);
      assert.deepEqual(new Set(got), new Set([backends[0]!.name]));
      assert.equal(backends[1]!.seen.length, before, 'a drained server gets no new request');

      const back = await send(`${proxy.url}${API}/upstreams/app/servers/1`, 'PATCH', { drain: false, weight: 2 });
      assert.equal(back.status, 200);
      await bodies(`${proxy.url}/x`, 6);
      assert.ok(backends[1]!.seen.length > before, 'back in rotation after drain: false');
    });

    it('POST adds a server that takes traffic at the next pick; DELETE lets a slow request in flight finish', async (t) => {
      const backends = await backendsFor(t, 1);
      const extra: Backend = await startBackend('extra');
      t.after(() => extra.stop());
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      extra.handle((_req, res) => {
        void held.then(() => res.end('extra-slow'));
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
        admin: { path: API, token: TOKEN },
      });
      // Without the token (or with a wrong one) neither POST nor DELETE changes anything.
      const servers = (): string[] => proxy.switchyard.status().upstreams.app!.servers.map((s) => s.url);
      for (const headers of [{}, { authorization: 'Bearer nope-nope-nope-nope' }] as Array<Record<string, string>>) {
        const post = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', { url: extra.url, weight: 1 }, headers);
        assert.equal(post.status, 401, post.body);
        const del = await send(`${proxy.url}${API}/upstreams/app/servers/0`, 'DELETE', '', headers);
        assert.equal(del.status, 401, del.body);
        assert.deepEqual(servers(), [backends[0]!.url]);
      }
      assert.equal(extra.seen.length + backends[0]!.seen.length, 0, 'refused writes never reach a backend');

      const added = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', { url: extra.url, weight: 1 });
      assert.equal(added.status, 201, added.body);
      const server = JSON.parse(added.body) as ServerJson;
      assert.deepEqual([server.id, server.url, server.source], [1, extra.url, 'api']);

      // Round robin: of two requests one goes to the new server (and is held there).
      const both = [call(`${proxy.url}/one`), call(`${proxy.url}/two`)];
      await waitFor(() => extra.seen.length === 1 && backends[0]!.seen.length === 1);

      const removed = await send(`${proxy.url}${API}/upstreams/app/servers/${server.id}`, 'DELETE', '', auth);
      assert.equal(removed.status, 200, removed.body);
      assert.deepEqual(
        (JSON.parse(removed.body) as ServerJson[]).map((s) => s.url),
        [backends[0]!.url],
      );
      release();
      const done = await Promise.all(both);
      assert.deepEqual(done.map((a) => `${a.status} ${a.body}`).sort(), [`200 ${backends[0]!.name}`, '200 extra-slow'].sort());
      await bodies(`${proxy.url}/after`, 4);
      assert.equal(extra.seen.length, 1, 'no new request after DELETE');
      const gone = await send(`${proxy.url}${API}/upstreams/app/servers/${server.id}`, 'PATCH', { down: true });
      assert.equal(gone.status, 404);
    });

    it('answers 400/404/405/409/413 with the field named, and changes nothing', async (t) => {
      const backends = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
        admin: { path: API, token: TOKEN },
      });
      const server = `${proxy.url}${API}/upstreams/app/servers/0`;
      const badJson = await send(server, 'PATCH', '{"drain": tru');
      assert.equal(badJson.status, 400);
      assert.match(badJson.body, /not valid JSON/);
      const unknown = await send(server, 'PATCH', { wieght: 3 });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body, /body\.wieght is not a known option \(did you mean weight\?\)/);
      const badWeight = await send(server, 'PATCH', { weight: 0 });
      assert.match(badWeight.body, /body\.weight must be a positive integer, got 0/);
      const backup = await send(server, 'PATCH', { backup: true });
      assert.equal(backup.status, 400);
      assert.match(backup.body, /body\.backup cannot be changed/);
      const badUrl = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', { url: 'ftp://x' });
      assert.equal(badUrl.status, 400);
      assert.match(badUrl.body, /body\.url must be an http\(s\) url/);
      const dup = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', { url: backends[0]!.url });
      assert.equal(dup.status, 409);
      const form = await send(server, 'PATCH', '{"down":true}', { ...auth, 'content-type': 'text/plain' });
      assert.equal(form.status, 415, 'a body that a cross-site form could send is refused');
      const huge = await send(server, 'PATCH', JSON.stringify({ drain: true, pad: 'x'.repeat(20 * 1024) }));
      assert.equal(huge.status, 413);
      const noUpstream = await send(`${proxy.url}${API}/upstreams/nope/servers/0`, 'PATCH', { drain: true });
      assert.equal(noUpstream.status, 404);
      assert.match((JSON.parse(noUpstream.body) as { error: { text: string } }).error.text, /unknown upstream "nope"/);
      assert.equal((await send(`${proxy.url}${API}/upstreams/app/servers/7`, 'PATCH', { drain: true })).status, 404);
      assert.equal((await send(`${proxy.url}${API}/upstreams/app/servers/x`, 'DELETE', '')).status, 404);
      assert.equal((await call(`${proxy.url}${API}/upstreams/nope`)).status, 404);
      assert.equal((await send(`${proxy.url}${API}/upstreams/app`, 'DELETE', '')).status, 405);
      assert.deepEqual(
        proxy.switchyard.status().upstreams.app!.servers.map((s) => [s.state, s.weight]),
        [
          ['up', 1],
          ['up', 1],
        ],
      );
      assert.equal(backends[0]!.seen.length + backends[1]!.seen.length, 0);
    });

    it('the status page has drain/down/up buttons only for a client with write access', async (t) => {
      const backends = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        locations: { '/': 'app' },
        status: { path: '/status' },
        admin: { path: API, token: TOKEN },
      });
      const html = { accept: 'text/html' };
      const anonymous = await call(`${proxy.url}/status`, { headers: html });
      const operator = await call(`${proxy.url}/status`, { headers: { ...html, ...auth } });
      assert.equal(anonymous.status, 200);
      assert.equal(operator.status, 200);
      assert.doesNotMatch(anonymous.body, /data-admin-api/);
      assert.match(operator.body, new RegExp(`<body data-admin-api="${API}">`));
      const scripts = (csp: unknown): number => (/script-src ([^;]*)/.exec(String(csp))?.[1] ?? '').split(' ').filter((x) => x.startsWith("'sha256-")).length;
      assert.deepEqual([scripts(anonymous.headers['content-security-policy']), scripts(operator.headers['content-security-policy'])], [1, 2]);
    });

    it('authorize decides writes without a token: false answers 403, true applies', async (t) => {
      const backends = await backendsFor(t, 2);
      const proxy = await startProxy(
        t,
        driver,
        {
          upstreams: { app: backends.map((b) => b.url) },
          locations: { '/': 'app' },
          admin: { path: API, authorize: (req) => req.headers['x-ops'] === 'yes' },
          // Express: express.json() runs first and consumes the body; the API uses what it parsed.
        },
        { parseJson: true },
      );
      const refused = await send(`${proxy.url}${API}/upstreams/app/servers/0`, 'PATCH', { down: true }, { 'x-ops': 'no' });
      assert.equal(refused.status, 403);
      const allowed = await send(`${proxy.url}${API}/upstreams/app/servers/0`, 'PATCH', { down: true, maxFails: 3, failTimeout: '30s' }, { 'x-ops': 'yes' });
      assert.equal(allowed.status, 200, allowed.body);
      const json = JSON.parse(allowed.body) as { state: string; maxFails: number; failTimeout: number };
      assert.deepEqual([json.state, json.maxFails, json.failTimeout], ['down', 3, 30_000]);
    });
  });
}
