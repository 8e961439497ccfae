/** @module Scenario: a JSON body (parsed by the app) reaches the upstream intact and is resent after a refused connection. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';
import type { BackendHandler } from '../helpers/backends.js';

const echo: BackendHandler = (req, res, backend) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        server: backend.name,
        body: JSON.parse(body.toString('utf8')) as unknown,
        length: req.headers['content-length'],
        actual: body.length,
        type: req.headers['content-type'],
        te: req.headers['transfer-encoding'] ?? null,
      }),
    );
  });
};

for (const driver of drivers) {
  describe(`${driver.name}: JSON bodies`, () => {
    it('forwards a POSTed JSON body and retries it on the next server after a refused connection', async (t) => {
      const [dead, alive] = await backendsFor(t, 2);
      alive!.handle(echo);
      await dead!.stop();
      const proxy = await startProxy(t, driver, { upstreams: { app: [dead!.url, alive!.url] }, locations: { '/api/': 'app' } }, { parseJson: true });
      const sent = { name: 'switchyard', list: [1, 2, 3], nested: { ok: true, text: 'é ✓' } };
      const answer = await call(`${proxy.url}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(sent),
      });
      assert.equal(answer.status, 200);
      const seen = JSON.parse(answer.body) as { server: string; body: unknown; length: string; actual: number; type: string; te: null };
      assert.equal(seen.server, 'Server 2');
      assert.deepEqual(seen.body, sent);
      assert.equal(Number(seen.length), seen.actual);
      assert.equal(seen.type, 'application/json; charset=utf-8');
      assert.equal(seen.te, null);
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.fails, 1);
      assert.equal(totalActive(proxy), 0);
    });

    it('does not resend a POST that reached a server which then failed (non-idempotent)', async (t) => {
      const [broken, alive] = await backendsFor(t, 2);
      broken!.handle((req) => req.socket.destroy());
      alive!.handle(echo);
      const proxy = await startProxy(t, driver, { upstreams: { app: [broken!.url, alive!.url] }, locations: { '/': 'app' } }, { parseJson: true });
      const answer = await call(`${proxy.url}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      assert.equal(answer.status, 502);
      assert.equal(broken!.seen.length, 1);
      assert.equal(alive!.seen.length, 0);
    });
  });
}
