/** @module Scenario: a status the client receives is no server failure; only one moved on from is (sequences recorded from nginx 1.22). */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import type { AdapterDriver, ProxyUnderTest } from './driver.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

const LETTER: Record<string, string> = { 'Server 1': 'a', 'Server 2': 'b', 'Server 3': 'c' };

/** Three backends answering `status`, behind `location` lines of an imported nginx config; `send` runs one request and returns it as the nginx recorder writes it. */
async function scenario(
  t: TestContext,
  driver: AdapterDriver,
  status: number,
  location: string,
): Promise<{ proxy: ProxyUnderTest; send: (method?: string) => Promise<string> }> {
  const backends = await backendsFor(t, 3);
  const seen: string[] = [];
  for (const b of backends) {
    b.handle((req, res, backend) => {
      req.resume();
      req.on('end', () => {
        seen.push(LETTER[backend.name] as string);
        res.writeHead(status, { 'content-type': 'text/plain', 'x-from': LETTER[backend.name] as string });
        res.end(backend.name);
      });
    });
  }
  const nginx = `
    upstream pool { ${backends.map((b) => `server 127.0.0.1:${b.port};`).join(' ')} }
    server { listen 80; location / { proxy_pass http://pool; ${location} } }`;
  const proxy = await startProxy(t, driver, { nginx });
  const send = async (method = 'GET'): Promise<string> => {
    const before = seen.length;
    const answer = await call(`${proxy.url}/x`, method === 'POST' ? { method, body: 'hi' } : { method });
    const from = answer.headers['x-from'];
    return `${seen.slice(before).join('>') || '-'}:${answer.status}(${typeof from === 'string' ? from : 'proxy'})`;
  };
  return { proxy, send };
}

function states(proxy: ProxyUnderTest): string {
  return (proxy.switchyard.status().upstreams.pool?.servers ?? []).map((s) => `${s.state}/${s.fails}`).join(' ');
}

for (const driver of drivers) {
  describe(`${driver.name}: failure accounting as nginx`, () => {
    it('tries 2, all 502: a>b c>b, then b moves on to nobody (502), then no live upstream', async (t) => {
      const { proxy, send } = await scenario(t, driver, 502, 'proxy_next_upstream error timeout http_502; proxy_next_upstream_tries 2;');
      const seq = [];
      for (let i = 0; i < 4; i++) seq.push(await send());
      // nginx 1.22, same config: a>b:502(b)  c>b:502(b)  b:502(nginx)  -:502(nginx)
      assert.deepEqual(seq, ['a>b:502(b)', 'c>b:502(b)', 'b:502(proxy)', '-:502(proxy)']);
      assert.equal(states(proxy), 'failed/1 failed/1 failed/1');
      assert.equal(totalActive(proxy), 0);
    });

    it('tries 2, all 503: the same servers; the client gets 503 from b twice, then 502', async (t) => {
      const { proxy, send } = await scenario(t, driver, 503, 'proxy_next_upstream error timeout http_503; proxy_next_upstream_tries 2;');
      const seq = [];
      for (let i = 0; i < 4; i++) seq.push(await send());
      // nginx 1.22: a>b:503(b)  c>b:503(b)  b:502(nginx)  -:502(nginx)
      assert.deepEqual(seq, ['a>b:503(b)', 'c>b:503(b)', 'b:502(proxy)', '-:502(proxy)']);
      assert.equal(totalActive(proxy), 0);
    });

    it('moving on with no server left: 502 from the proxy, and onError hears no-live-upstream', async (t) => {
      const backends = await backendsFor(t, 2);
      for (const b of backends) b.handle((_req, res) => res.writeHead(503, { 'x-from': b.name }).end('busy'));
      const reasons: string[] = [];
      const proxy = await startProxy(t, driver, {
        upstreams: {
          pool: {
            servers: backends.map((b) => b.url),
            retry: { on: ['error', 503], budget: false },
            onError: (ctx) => {
              reasons.push(ctx.reason);
              return undefined;
            },
          },
        },
        locations: { '/': 'pool' },
      });
      const first = await call(`${proxy.url}/x`);
      assert.deepEqual([first.status, first.headers['x-from']], [503, 'Server 2']);
      const second = await call(`${proxy.url}/x`);
      assert.equal(second.status, 502);
      assert.match(second.body, /no live upstream/);
      assert.deepEqual(reasons, ['no-live-upstream']);
      assert.equal(states(proxy), 'failed/1 failed/1');
    });

    it('POST with http_500: not retried, and no server is marked failed', async (t) => {
      const { proxy, send } = await scenario(t, driver, 500, 'proxy_next_upstream error timeout http_500;');
      const seq = [];
      for (let i = 0; i < 6; i++) seq.push(await send('POST'));
      // nginx 1.22: a:500(a) b:500(b) c:500(c) a:500(a) b:500(b) c:500(c)
      assert.deepEqual(seq, ['a:500(a)', 'b:500(b)', 'c:500(c)', 'a:500(a)', 'b:500(b)', 'c:500(c)']);
      assert.equal(states(proxy), 'up/0 up/0 up/0');
      assert.equal(totalActive(proxy), 0);
    });
  });
}
