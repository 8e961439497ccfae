/** @module Scenario: 5 MB uploads and downloads stream through the proxy (neither side waits for the whole body). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { waitFor } from './support/http.js';

const MB = 1024 * 1024;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

for (const driver of drivers) {
  describe(`${driver.name}: large bodies`, () => {
    it('streams a 5 MB upload: the upstream has the first MB before the client sends the rest', async (t) => {
      const [backend] = await backendsFor(t, 1);
      let received = 0;
      backend!.handle((req, res) => {
        const hash = createHash('sha256');
        req.on('data', (c: Buffer) => {
          received += c.length;
          hash.update(c);
        });
        req.on('end', () => res.end(JSON.stringify({ bytes: received, sha: hash.digest('hex'), type: req.headers['content-type'] })));
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' } }, { parseJson: true });
      const payload = randomBytes(5 * MB);
      const answer = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${proxy.url}/upload`, {
          method: 'PUT',
          agent: false,
          headers: { 'content-type': 'application/octet-stream', 'content-length': payload.length },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve(body));
        });
        req.write(payload.subarray(0, MB));
        waitFor(() => received >= MB).then(() => req.end(payload.subarray(MB)), reject);
      });
      assert.deepEqual(JSON.parse(answer), { bytes: 5 * MB, sha: sha(payload), type: 'application/octet-stream' });
      await waitFor(() => totalActive(proxy) === 0);
    });

    it('resends a streamed upload to the next server when the first refused the connection', async (t) => {
      const [dead, alive] = await backendsFor(t, 2);
      await dead!.stop();
      alive!.handle((req, res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        req.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        req.on('end', () => res.end(JSON.stringify({ bytes, sha: hash.digest('hex') })));
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [dead!.url, alive!.url] }, locations: { '/': 'app' } });
      const payload = randomBytes(MB);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${proxy.url}/upload`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/octet-stream', 'content-length': payload.length },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.end(payload);
      });
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { bytes: MB, sha: sha(payload) });
      assert.equal(proxy.switchyard.status().upstreams.app!.servers[0]!.fails, 1);
    });

    it('streams a 5 MB download: the client has the first MB before the upstream sends the rest', async (t) => {
      const [backend] = await backendsFor(t, 1);
      const payload = randomBytes(5 * MB);
      let got = 0;
      backend!.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': payload.length });
        res.write(payload.subarray(0, MB));
        waitFor(() => got >= MB).then(
          () => res.end(payload.subarray(MB)),
          () => res.destroy(),
        );
      });
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' } });
      const body = await new Promise<Buffer>((resolve, reject) => {
        httpRequest(`${proxy.url}/download`, { agent: false }, (res) => {
          assert.equal(res.headers['content-length'], String(payload.length));
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            got += c.length;
            chunks.push(c);
          });
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(body.length, payload.length);
      assert.equal(sha(body), sha(payload));
      await waitFor(() => totalActive(proxy) === 0);
    });
  });
}
