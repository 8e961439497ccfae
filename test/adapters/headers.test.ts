/** @module Scenario: hop-by-hop headers removed both ways, X-Forwarded-* and Host as DESIGN.md says, location headers added. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call } from './support/http.js';
import type { Backend, BackendHandler } from '../helpers/backends.js';

const echoHeaders: BackendHandler = (req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json',
    connection: 'keep-alive, x-secret',
    'x-secret': 'hidden',
    'keep-alive': 'timeout=77, max=9',
    'proxy-connection': 'keep-alive',
    'x-visible': 'yes',
  });
  res.end(JSON.stringify(req.headers));
};

const clientHeaders = {
  host: 'shop.example:8443',
  connection: 'keep-alive, x-hop',
  'x-hop': 'drop me',
  'keep-alive': 'timeout=9',
  te: 'trailers',
  'proxy-connection': 'keep-alive',
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'spoofed.example',
  'x-keep': 'kept',
};

async function headersSeen(url: string): Promise<{ upstream: Record<string, string>; client: Record<string, unknown> }> {
  const answer = await call(url, { headers: clientHeaders });
  assert.equal(answer.status, 200);
  return { upstream: JSON.parse(answer.body) as Record<string, string>, client: answer.headers };
}

function upstreamHost(b: Backend): string {
  return new URL(b.url).host;
}

for (const driver of drivers) {
  describe(`${driver.name}: headers`, () => {
    it('drops hop-by-hop headers both ways and replaces untrusted X-Forwarded-*', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoHeaders);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: { '/': { upstream: 'app', headers: { 'X-Via-Switchyard': 'yes' } } },
      });
      const { upstream, client } = await headersSeen(`${proxy.url}/h`);
      for (const name of ['x-hop', 'keep-alive', 'te', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
        assert.equal(upstream[name], undefined, `upstream got ${name}`);
      }
      assert.notEqual(upstream.connection, 'keep-alive, x-hop');
      assert.equal(upstream['x-keep'], 'kept');
      assert.equal(upstream['x-forwarded-for'], '127.0.0.1');
      assert.equal(upstream['x-forwarded-proto'], 'http');
      assert.equal(upstream['x-forwarded-host'], 'shop.example:8443');
      assert.equal(upstream.host, upstreamHost(backend!));
      assert.equal(upstream['x-via-switchyard'], 'yes');
      assert.equal(client['x-secret'], undefined);
      assert.equal(client['proxy-connection'], undefined);
      assert.notEqual(client['keep-alive'], 'timeout=77, max=9');
      assert.equal(client['x-visible'], 'yes');
    });

    it('extends X-Forwarded-* from a trusted proxy and keeps Host with preserveHost', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle(echoHeaders);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: { '/': { upstream: 'app', preserveHost: true } },
        trustProxy: ['127.0.0.1'],
      });
      const { upstream } = await headersSeen(`${proxy.url}/h`);
      assert.equal(upstream['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(upstream['x-forwarded-proto'], 'https');
      assert.equal(upstream['x-forwarded-host'], 'spoofed.example');
      assert.equal(upstream.host, 'shop.example:8443');
    });
  });
}
