/** @module Security: the forwarding-header family (X-Forwarded-Port/-Ssl/-Prefix, Client-IP, X-Original-URL, ...) is dropped from untrusted clients and kept from trusted proxies (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { headerOf, startRawBackend } from '../reliability/support/raw-backend.js';
import { rawSend } from '../reliability/support/raw-client.js';

guardProcess();
const drivers = await loadDrivers();

/** Headers an application may believe about the client or the original request, as a spoofing client sends them. */
const FAMILY: Array<[string, string]> = [
  ['X-Forwarded-Port', '443'],
  ['X-Forwarded-Prefix', '/admin'],
  ['X-Forwarded-Ssl', 'on'],
  ['X-Forwarded-Scheme', 'https'],
  ['X-Forwarded-Server', 'internal'],
  ['X-Forwarded-Uri', '/admin'],
  ['Client-IP', '10.0.0.1'],
  ['True-Client-IP', '10.0.0.1'],
  ['CF-Connecting-IP', '10.0.0.1'],
  ['Fastly-Client-IP', '10.0.0.1'],
  ['X-Client-IP', '10.0.0.1'],
  ['X-Cluster-Client-IP', '10.0.0.1'],
  ['X-Original-URL', '/admin/drop'],
  ['X-Rewrite-URL', '/admin/drop'],
  ['X-Original-Host', 'admin.internal'],
  ['X-Host', 'admin.internal'],
  ['Front-End-Https', 'on'],
  ['X_Forwarded_For', '10.0.0.1'],
  ['X_Forwarded_Proto', 'https'],
];

const request = `GET /api/x HTTP/1.1\r\nHost: proxy\r\n${FAMILY.map(([n, v]) => `${n}: ${v}\r\n`).join('')}X-Custom: kept\r\nConnection: close\r\n\r\n`;

for (const driver of drivers) {
  describe(`forwarding headers, ${driver.name}`, () => {
    test('an untrusted client cannot send any header of the family; other headers pass', async () => {
      const backend = await startRawBackend('app');
      const proxy = await driver.start({ upstreams: { app: [backend.url] }, locations: { '/api/': 'app' } });
      try {
        const out = await rawSend(proxy.port, request, { responses: 1 });
        assert.equal(out.responses[0]?.status, 200);
        const seen = backend.requests[0];
        assert.ok(seen);
        for (const [name] of FAMILY) assert.equal(headerOf(seen, name.toLowerCase()), undefined, `${name} reached the upstream`);
        assert.equal(headerOf(seen, 'x-custom'), 'kept');
        assert.equal(headerOf(seen, 'x-forwarded-for'), '127.0.0.1');
        assert.equal(headerOf(seen, 'x-forwarded-proto'), 'http');
      } finally {
        await proxy.close();
        await backend.stop();
      }
    });

    test('a trusted proxy (trustProxy) passes them on', async () => {
      const backend = await startRawBackend('app');
      const proxy = await driver.start({ upstreams: { app: [backend.url] }, locations: { '/api/': 'app' }, trustProxy: ['127.0.0.1'] });
      try {
        const out = await rawSend(proxy.port, request, { responses: 1 });
        assert.equal(out.responses[0]?.status, 200);
        const seen = backend.requests[0];
        assert.ok(seen);
        for (const [name, value] of FAMILY) assert.equal(headerOf(seen, name.toLowerCase()), value, name);
      } finally {
        await proxy.close();
        await backend.stop();
      }
    });
  });
}
