/** @module Scenario: a client that goes away releases its server (active back to 0), before or during the response. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call, waitFor } from './support/http.js';

for (const driver of drivers) {
  describe(`${driver.name}: client aborts`, () => {
    it('releases the try when the client leaves before the response head', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(() => {});
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { balance: 'least-conn', servers: [backend!.url] } },
        locations: { '/': 'app' },
      });
      const req = httpRequest(`${proxy.url}/hang`, { agent: false });
      req.on('error', () => {});
      req.end();
      await waitFor(() => backend!.seen.length === 1);
      assert.equal(totalActive(proxy), 1);
      req.destroy();
      await waitFor(() => totalActive(proxy) === 0);
      const server = proxy.switchyard.status().upstreams.app!.servers[0]!;
      assert.equal(server.fails, 0);
      assert.equal(server.state, 'up');
    });

    it('releases the try when the client leaves in the middle of the body', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        if (req.url === '/ok') return void res.end('fine');
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part ');
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' } });
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${proxy.url}/stream`, { agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.on('close', resolve);
        req.end();
        setTimeout(() => reject(new Error('no body chunk')), 5000).unref();
      });
      await waitFor(() => totalActive(proxy) === 0);
      assert.equal((await call(`${proxy.url}/ok`)).body, 'fine');
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.fails, 0);
    });
  });
}
