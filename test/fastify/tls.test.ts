/** @module TLS to https upstreams is verified: a self-signed certificate is refused (502), never trusted silently. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { call } from '../adapters/support/http.js';
import { startApp } from './support.js';
import { selfSigned } from '../helpers/self-signed.js';

describe('TLS upstreams', () => {
  it('refuses a self-signed upstream certificate with 502', async (t) => {
    const { key, cert } = selfSigned();
    let seen = 0;
    const server = createServer({ key, cert }, (_req, res) => {
      seen++;
      res.end('secret');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const upstream = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { url, app } = await startApp(t, { upstreams: { app: [upstream] }, locations: { '/': 'app' } });
    const answer = await call(`${url}/`);
    assert.equal(answer.status, 502);
    assert.equal(seen, 0);
    assert.equal(app.switchyard.status().upstreams.app!.servers[0]!.fails, 1);
  });
});
