/** @module Sticky sessions through both adapters, configured locations and proxyTo routes, plain requests and WebSockets. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ADAPTERS, VIAS, balancerFor } from './apps.js';
import { startNamedBackends, wsOnce, type NamedBackend } from './named-backends.js';
import { call } from '../adapters/support/http.js';

async function backendsFor(t: { after(fn: () => Promise<void>): void }, count: number): Promise<NamedBackend[]> {
  const list = await startNamedBackends(count);
  t.after(() => Promise.all(list.map((b) => b.stop())).then(() => undefined));
  return list;
}

const nameOf = (list: NamedBackend[], md5: string): string | undefined => list.find((b) => b.md5 === md5)?.name;

for (const adapter of ADAPTERS) {
  for (const via of VIAS) {
    describe(`${adapter} via ${via}: sticky`, () => {
      it("cookie: value is the MD5 of the peer address, set on every response next to the upstream's own cookies", async (t) => {
        const backends = await backendsFor(t, 3);
        backends[1]!.answer = (_req, res) => res.setHeader('set-cookie', ['app=1; Path=/']);
        const lb = await balancerFor(t, adapter, via, {
          servers: backends.map((b) => b.url),
          sticky: { cookie: { name: 'srv_id', path: '/', httpOnly: true } },
        });
        const first = await call(`${lb.url}/x`);
        assert.equal(first.status, 200);
        const server = backends.find((b) => b.name === first.body)!;
        assert.deepEqual(first.headers['set-cookie'], [`srv_id=${server.md5}; httponly; path=/`]);
        // Bound to b: every answer comes from b, and carries b's own cookie and the sticky one.
        const b = backends[1]!;
        for (let i = 0; i < 4; i++) {
          const bound = await call(`${lb.url}/y`, { headers: { cookie: `srv_id=${b.md5}` } });
          assert.equal(bound.body, 'b');
          assert.deepEqual(bound.headers['set-cookie'], ['app=1; Path=/', `srv_id=${b.md5}; httponly; path=/`]);
        }
      });

      it('a cookie for a stopped server rebinds: 200 from another server with its new cookie', async (t) => {
        const backends = await backendsFor(t, 3);
        const lb = await balancerFor(t, adapter, via, { servers: backends.map((b) => b.url), sticky: { cookie: { name: 'srv_id' } } });
        const a = backends[0]!;
        await a.stop();
        for (let i = 0; i < 3; i++) {
          const answer = await call(`${lb.url}/`, { headers: { cookie: `srv_id=${a.md5}` } });
          assert.equal(answer.status, 200);
          assert.notEqual(answer.body, 'a');
          const value = /^srv_id=([0-9a-f]{32})$/.exec(answer.headers['set-cookie']?.[0] ?? '')?.[1] ?? '';
          assert.equal(nameOf(backends, value), answer.body);
        }
      });

      it('drain: a draining server keeps its bound clients (HTTP and WebSocket) and gets no unbound one', async (t) => {
        const backends = await backendsFor(t, 3);
        const lb = await balancerFor(t, adapter, via, { servers: backends.map((b) => b.url), sticky: { cookie: { name: 'srv_id' } } });
        const c = backends[2]!;
        lb.switchyard.setServer('pool', c.url, { drain: true });
        const unbound = await Promise.all(Array.from({ length: 9 }, () => call(`${lb.url}/`)));
        assert.ok(unbound.every((r) => r.status === 200 && r.body !== 'c'));
        for (let i = 0; i < 3; i++) assert.equal((await call(`${lb.url}/`, { headers: { cookie: `srv_id=${c.md5}` } })).body, 'c');
        const ws = await wsOnce(`${lb.url.replace('http', 'ws')}/ws`, { cookie: `srv_id=${c.md5}` });
        assert.deepEqual(ws, { name: 'c', setCookie: [`srv_id=${c.md5}`] });
        const fresh = await wsOnce(`${lb.url.replace('http', 'ws')}/ws`);
        assert.notEqual(fresh.name, 'c');
        assert.deepEqual(fresh.setCookie, [`srv_id=${backends.find((b) => b.name === fresh.name)!.md5}`]);
      });

      it("secret: the cookie is Angie's md5(id + secret); the bare id or a forged value is ignored (HTTP and WebSocket); hmac-sha256 on request", async (t) => {
        const backends = await backendsFor(t, 2);
        const secret = 'correct horse battery staple';
        const salted = (b: NamedBackend): string =>
          createHash('md5')
            .update(b.md5 + secret)
            .digest('hex');
        const lb = await balancerFor(t, adapter, via, { servers: backends.map((b) => b.url), sticky: { cookie: { name: 'srv_id' }, secret } });
        const [a, b] = backends as [NamedBackend, NamedBackend];
        // b drains, so only a genuinely bound request reaches it.
        lb.switchyard.setServer('pool', b.url, { drain: true });
        const first = await call(`${lb.url}/`);
        assert.equal(first.body, 'a');
        assert.deepEqual(first.headers['set-cookie'], [`srv_id=${salted(a)}`]);
        for (const forged of [b.md5, createHash('md5').update(b.md5).digest('hex')]) {
          assert.equal((await call(`${lb.url}/`, { headers: { cookie: `srv_id=${forged}` } })).body, 'a');
          assert.equal((await wsOnce(`${lb.url.replace('http', 'ws')}/ws`, { cookie: `srv_id=${forged}` })).name, 'a');
        }
        assert.equal((await call(`${lb.url}/`, { headers: { cookie: `srv_id=${salted(b)}` } })).body, 'b');
        assert.equal((await wsOnce(`${lb.url.replace('http', 'ws')}/ws`, { cookie: `srv_id=${salted(b)}` })).name, 'b');

        const signed = await balancerFor(t, adapter, via, {
          servers: backends.map((x) => x.url),
          sticky: { cookie: { name: 'srv_id' }, secret, sign: 'hmac-sha256' },
        });
        const answer = await call(`${signed.url}/`);
        assert.match(answer.headers['set-cookie']?.[0] ?? '', new RegExp(`^srv_id=${a.md5}\\.[\\w-]{43}$`));
      });

      it('strict: a request bound to a stopped server gets 502, not another server; unbound requests are served', async (t) => {
        const backends = await backendsFor(t, 3);
        const lb = await balancerFor(t, adapter, via, { servers: backends.map((b) => b.url), sticky: { cookie: { name: 'srv_id' }, strict: true } });
        const a = backends[0]!;
        const served: string[] = [];
        for (const b of backends.slice(1)) b.answer = () => served.push(b.name);
        await a.stop();
        for (let i = 0; i < 2; i++) {
          const answer = await call(`${lb.url}/`, { headers: { cookie: `srv_id=${a.md5}` } });
          assert.equal(answer.status, 502);
          assert.equal(answer.headers['set-cookie'], undefined);
        }
        assert.deepEqual(served, []);
        const unbound = await call(`${lb.url}/`);
        assert.equal(unbound.status, 200);
        assert.notEqual(unbound.body, 'a');
      });

      it('nine requests bound to a leave the round robin where it was: six unbound go b, c, a, b, c, a', async (t) => {
        const backends = await backendsFor(t, 3);
        const lb = await balancerFor(t, adapter, via, { servers: backends.map((b) => b.url), sticky: { cookie: { name: 'srv_id' } } });
        const a = backends[0]!;
        for (let i = 0; i < 9; i++) assert.equal((await call(`${lb.url}/`, { headers: { cookie: `srv_id=${a.md5}` } })).body, 'a');
        const unbound = [];
        for (let i = 0; i < 6; i++) unbound.push((await call(`${lb.url}/`)).body);
        assert.deepEqual(unbound, ['b', 'c', 'a', 'b', 'c', 'a']);
      });

      it('route: $cookie_route then $arg_route name a server by its route; WebSockets follow it', async (t) => {
        const backends = await backendsFor(t, 3);
        const lb = await balancerFor(t, adapter, via, {
          servers: backends.map((b) => ({ url: b.url, route: `r-${b.name}` })),
          sticky: { route: ['$cookie_route', '$arg_route'] },
        });
        for (let i = 0; i < 3; i++) assert.equal((await call(`${lb.url}/`, { headers: { cookie: 'route=r-b' } })).body, 'b');
        const byArg = await call(`${lb.url}/p?route=r-c`);
        assert.equal(byArg.body, 'c');
        assert.equal(byArg.headers['set-cookie'], undefined);
        assert.equal((await call(`${lb.url}/p?route=r-c`, { headers: { cookie: 'route=r-a' } })).body, 'a');
        assert.deepEqual(await wsOnce(`${lb.url.replace('http', 'ws')}/ws?route=r-c`), { name: 'c', setCookie: [] });
      });

      it('learn: the session the upstream creates binds later requests and WebSockets to it; status counts sessions', async (t) => {
        const backends = await backendsFor(t, 3);
        let next = 0;
        for (const b of backends) {
          b.answer = (req, res) => {
            if (!(req.headers.cookie ?? '').includes('sessionid=')) res.setHeader('set-cookie', `sessionid=${b.name}-${++next}; Path=/; HttpOnly`);
          };
        }
        const lb = await balancerFor(t, adapter, via, {
          servers: backends.map((b) => b.url),
          sticky: { learn: { create: '$upstream_cookie_sessionid', lookup: '$cookie_sessionid', timeout: '1h', maxSessions: 100 } },
        });
        const sessions: Array<{ server: string; id: string }> = [];
        for (let i = 0; i < 6; i++) {
          const answer = await call(`${lb.url}/login`);
          sessions.push({ server: answer.body, id: /sessionid=([^;]+)/.exec(answer.headers['set-cookie']?.[0] ?? '')?.[1] ?? '' });
        }
        assert.equal(new Set(sessions.map((s) => s.server)).size, 3);
        assert.equal(lb.switchyard.status().upstreams.pool?.sessions, 6);
        for (const s of sessions) {
          assert.equal((await call(`${lb.url}/app`, { headers: { cookie: `sessionid=${s.id}` } })).body, s.server);
          assert.equal((await wsOnce(`${lb.url.replace('http', 'ws')}/ws`, { cookie: `sessionid=${s.id}` })).name, s.server);
        }
      });
    });
  }
}
