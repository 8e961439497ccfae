/** @module Scenario: TLS and mTLS to upstreams with a private CA (made by the test with openssl): trust, client certificates, servername, keep-alive, resumption, health probes and WebSockets, in both adapters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { drivers } from './drivers/index.js';
import { startProxy, totalActive } from './support/setup.js';
import { call, waitFor } from './support/http.js';
import { startTlsBackend } from './support/tls-backend.js';
import { encryptedKey, privatePki } from '../helpers/private-ca.js';

const pki = privatePki();

for (const driver of drivers) {
  describe(`${driver.name}: TLS upstreams`, () => {
    it('a private CA trusted with tls.ca gives 200; without it (or with another CA) 502 counted as a failure', async (t) => {
      const backend = await startTlsBackend(t, 'secure', pki.server);
      const proxy = await startProxy(t, driver, {
        upstreams: {
          trusted: { servers: [backend.url], tls: { ca: pki.ca } },
          untrusted: { servers: [backend.url] },
          other: { servers: [{ url: backend.url, tls: { ca: [pki.otherCa] } }] },
        },
        locations: { '/trusted': 'trusted', '/untrusted': 'untrusted', '/other': 'other' },
      });
      const ok = await call(`${proxy.url}/trusted`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'secure');
      for (const path of ['/untrusted', '/other']) {
        const refused = await call(`${proxy.url}${path}`);
        assert.equal(refused.status, 502, path);
      }
      assert.equal(backend.seen.length, 1, 'no request reached the server over an unverified connection');
      const status = proxy.switchyard.status().upstreams;
      assert.equal(status.untrusted!.servers[0]!.fails, 1);
      assert.equal(status.other!.servers[0]!.fails, 1);
      assert.equal(status.trusted!.servers[0]!.fails, 0);
    });

    it('mTLS: without cert/key the server refuses (502); with them 200 and the upstream sees the client subject', async (t) => {
      const backend = await startTlsBackend(t, 'mtls', { ...pki.server, ca: pki.ca, requireClientCert: true });
      const proxy = await startProxy(t, driver, {
        upstreams: {
          anonymous: { servers: [backend.url], tls: { ca: pki.ca } },
          client: {
            servers: [backend.url],
            tls: { ca: pki.ca, cert: pki.client.cert, key: Buffer.from(encryptedKey(pki.client.key, 'hunter2')), passphrase: 'hunter2' },
          },
        },
        locations: { '/anonymous': 'anonymous', '/client': 'client' },
      });
      const refused = await call(`${proxy.url}/anonymous`);
      assert.equal(refused.status, 502);
      assert.equal(proxy.switchyard.status().upstreams.anonymous!.servers[0]!.fails, 1);
      const ok = await call(`${proxy.url}/client`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'mtls');
      assert.deepEqual(
        backend.seen.map((s) => [s.path, s.clientCn]),
        [['/client', 'switchyard-client']],
      );
    });

    it('servername: connecting by IP to a certificate for localhost verifies (and sends SNI) with tls.servername, fails without', async (t) => {
      const backend = await startTlsBackend(t, 'named', pki.localhostOnly);
      const proxy = await startProxy(t, driver, {
        upstreams: {
          byName: { servers: [{ url: backend.url, tls: { servername: 'localhost' } }], tls: { ca: pki.ca } },
          byIp: { servers: [backend.url], tls: { ca: pki.ca } },
        },
        locations: { '/name': 'byName', '/ip': 'byIp' },
      });
      assert.equal((await call(`${proxy.url}/ip`)).status, 502);
      const ok = await call(`${proxy.url}/name`);
      assert.equal(ok.status, 200);
      assert.equal(backend.seen.length, 1);
      assert.equal(backend.seen[0]!.servername, 'localhost');
      assert.equal(backend.seen[0]!.host, `127.0.0.1:${backend.port}`, "Host stays the url's; only SNI and the check use servername");
    });

    it('keep-alive reuses one TLS connection; a new connection resumes the TLS session', async (t) => {
      const keep = await startTlsBackend(t, 'keep', pki.server);
      const closing = await startTlsBackend(t, 'closing', { ...pki.server, closeEach: true });
      const proxy = await startProxy(t, driver, {
        upstreams: { keep: { servers: [keep.url], tls: { ca: pki.ca } }, closing: { servers: [closing.url], tls: { ca: pki.ca } } },
        locations: { '/keep': 'keep', '/closing': 'closing' },
      });
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/keep`)).status, 200);
      assert.equal(keep.handshakes, 1, 'three sequential requests, one TLS connection');
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/closing`)).status, 200);
      assert.equal(closing.handshakes, 3, 'the server closes after each answer');
      assert.deepEqual(
        closing.seen.map((s) => s.resumed),
        [false, true, true],
        'later connections resume the first session',
      );
    });

    it('health probes use the same TLS settings (mTLS): they pass with the client certificate and fail without', async (t) => {
      const backend = await startTlsBackend(t, 'probed', { ...pki.server, ca: pki.ca, requireClientCert: true });
      const proxy = await startProxy(t, driver, {
        upstreams: {
          withCert: {
            servers: [backend.url],
            tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key },
            healthCheck: { path: '/health', interval: '1s' },
          },
          withoutCert: { servers: [backend.url], tls: { ca: pki.ca }, healthCheck: { path: '/health', interval: '1s' } },
        },
        locations: { '/a': 'withCert', '/b': 'withoutCert' },
      });
      const health = (name: string) => proxy.switchyard.status().upstreams[name]!.servers[0]!;
      await waitFor(() => health('withCert').health !== undefined && health('withoutCert').health !== undefined);
      assert.equal(health('withCert').health!.ok, true);
      assert.equal(health('withCert').state, 'up');
      assert.equal(health('withoutCert').health!.ok, false);
      assert.equal(health('withoutCert').state, 'unhealthy');
      assert.ok(backend.seen.some((s) => s.path === '/health' && s.clientCn === 'switchyard-client'));
    });

    it('a WebSocket to a TLS upstream (with a client certificate) echoes through the balancer', async (t) => {
      const backend = await startTlsBackend(t, 'wss', { ...pki.server, ca: pki.ca, requireClientCert: true });
      const proxy = await startProxy(t, driver, {
        upstreams: { ws: { servers: [backend.url], tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } } },
        locations: { '/ws/': 'ws' },
      });
      const ws = new WebSocket(`${proxy.url.replace('http://', 'ws://')}/ws/chat`);
      t.after(() => ws.terminate());
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
      ws.send('hello');
      assert.equal(await reply, 'wss echo: hello');
      ws.close();
      await waitFor(() => totalActive(proxy) === 0);
    });
  });
}
