/** @module TLS to https upstreams is verified: a self-signed certificate is refused (502), never trusted silently. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { call } from '../adapters/support/http.js';
import { startApp } from './support.js';

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
