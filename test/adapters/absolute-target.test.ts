/** @module An absolute-form request target (`GET http://other.example/x`): its host replaces the Host header (RFC 9112 3.2.2), as nginx's $host. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';

/** One request whose target is written as given (node:http sends `path` verbatim). */
function rawTarget(base: string, target: string, host: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: target, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

for (const driver of drivers) {
  describe(`${driver.name}: absolute-form request target`, () => {
    it("matches on the target's path and forwards the target's host, not the Host header", async (t) => {
      const [backend] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/api/': { upstream: 'app', preserveHost: true } } });
      const answer = await rawTarget(proxy.url, 'http://Other.Example/api/x?y=1', 'localhost');
      assert.equal(answer.status, 200);
      const seen = backend!.seen.at(-1);
      assert.equal(seen?.url, '/api/x?y=1');
      assert.equal(seen?.headers.host, 'other.example');
      // A target with userinfo is no host nginx would take: the Host header stays.
      await rawTarget(proxy.url, 'http://user@evil.example/api/y', 'localhost');
      assert.equal(backend!.seen.at(-1)?.headers.host, 'localhost');
    });
  });
}
