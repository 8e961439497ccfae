/** @module Security: hostile admin API inputs through both adapters: weights above the cap, bare strings, bad urls, unix sockets and metadata addresses answer 4xx naming the field (never a 500 or a stack). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../adapters/drivers/index.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { call, type Answer } from '../adapters/support/http.js';
import type { SwitchyardEvents } from '@switchyard/core';

const TOKEN = 'test-token-0123456789abcdef';
const API = '/switchyard/api';

function send(url: string, method: string, body: string): Promise<Answer> {
  return call(url, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
}

function errorOf(answer: Answer): { status: number; code: string; text: string } {
  assert.match(String(answer.headers['content-type']), /application\/json/);
  assert.doesNotMatch(answer.body, /at .*\.ts:\d+|<html/i, 'no stack trace, no HTML page');
  return (JSON.parse(answer.body) as { error: { status: number; code: string; text: string } }).error;
}

for (const driver of drivers) {
  describe(`${driver.name}: hostile admin API inputs`, () => {
    it('PATCH weight 1001 and a bare string body answer 400 naming the field; the pool is unchanged', async (t) => {
      const backends = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, { upstreams: { app: backends.map((b) => b.url) }, admin: { path: API, token: TOKEN } });
      const limited: Array<SwitchyardEvents['input:limited']> = [];
      proxy.switchyard.on('input:limited', (e) => limited.push(e));
      const heavy = await send(`${proxy.url}${API}/upstreams/app/servers/0`, 'PATCH', '{"weight":1001}');
      assert.equal(heavy.status, 400, heavy.body);
      assert.deepEqual(errorOf(heavy), { status: 400, code: 'InvalidBody', text: 'body.weight must be at most 1000, got 1001' });
      const bare = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', JSON.stringify('http://127.0.0.1:9'));
      assert.equal(bare.status, 400, bare.body);
      assert.match(errorOf(bare).text, /^body must be a JSON object \{ url, weight\?, \.\.\. \}, got a string$/);
      const missing = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', JSON.stringify({ url: 'http//127.0.0.11:9001' }));
      assert.equal(missing.status, 400, missing.body);
      assert.match(errorOf(missing).text, /^body\.url must be an http\(s\) url .*did you mean 'http:\/\/127\.0\.0\.11:9001'/);
      assert.deepEqual(
        proxy.switchyard.status().upstreams.app!.servers.map((s) => [s.url, s.weight]),
        [[backends[0]!.url, 1]],
      );
      assert.deepEqual(
        limited.map((e) => [e.source, e.field, e.action]),
        [
          ['admin', 'body.weight', 'refused'],
          ['admin', 'body', 'refused'],
          ['admin', 'body.url', 'refused'],
        ],
      );
    });

    it('POST refuses unix sockets and metadata addresses by default (403), and admin.allow / admin.validate decide instead', async (t) => {
      const backends = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, { upstreams: { app: backends.map((b) => b.url) }, admin: { path: API, token: TOKEN } });
      for (const url of [
        'unix:/var/run/docker.sock',
        'http://169.254.169.254/',
        'http://[::ffff:a9fe:a9fe]:80',
        'http://[fe80::1]:80',
        'http://metadata.google.internal',
      ]) {
        const answer = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', JSON.stringify({ url }));
        assert.equal(answer.status, 403, `${url}: ${answer.body}`);
        assert.equal(errorOf(answer).code, 'ServerNotAllowed');
      }
      const fine = await send(`${proxy.url}${API}/upstreams/app/servers`, 'POST', JSON.stringify({ url: 'http://127.0.0.9:9' }));
      assert.equal(fine.status, 201, fine.body);

      const seen: string[] = [];
      const strict = await startProxy(t, driver, {
        upstreams: { app: backends.map((b) => b.url) },
        admin: {
          path: API,
          token: TOKEN,
          allow: ['127.0.0.0/8', '*.internal'],
          validate: ({ url }) => {
            seen.push(url);
            return url.endsWith(':6666') ? 'port 6666 is reserved' : undefined;
          },
        },
      });
      const post = (url: string): Promise<Answer> => send(`${strict.url}${API}/upstreams/app/servers`, 'POST', JSON.stringify({ url }));
      assert.equal((await post('http://10.1.2.3:80')).status, 403);
      assert.match(errorOf(await post('http://10.1.2.3:80')).text, /10\.1\.2\.3 is not in admin\.allow/);
      assert.equal((await post('http://api.internal:80')).status, 201);
      assert.equal((await post('http://127.0.0.8:80')).status, 201);
      const reserved = await post('http://127.0.0.8:6666');
      assert.equal(reserved.status, 403);
      assert.match(errorOf(reserved).text, /port 6666 is reserved$/);
      assert.deepEqual(seen, ['http://api.internal:80', 'http://127.0.0.8:80', 'http://127.0.0.8:6666']);
    });
  });
}
