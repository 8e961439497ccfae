/** @module Scenario: nginx's `add_header` and `expires` (`addHeaders`, `expires`) on every answer of a location, both adapters: real files (200, 206, 304, 404), `return`s, rewrite and slash redirects, server-level returns and proxied responses. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SwitchyardInput } from '@switchyard/core';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';

interface Answer {
  status: number;
  /** Every header line, lower-case name to its values in order. */
  lines: Map<string, string[]>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const lines = new Map<string, string[]>();
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const name = (res.rawHeaders[i] as string).toLowerCase();
        lines.set(name, [...(lines.get(name) ?? []), res.rawHeaders[i + 1] as string]);
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, lines, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function site(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-file-headers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'app.css'), 'body { color: red }\n');
  mkdirSync(join(dir, 'plain'));
  writeFileSync(join(dir, 'plain', 'a.txt'), 'plain\n');
  return dir;
}

const MAX_DATE = 'Thu, 31 Dec 2037 23:55:55 GMT';

for (const driver of drivers) {
  describe(`${driver.name}: add_header and expires`, () => {
    it('files: expires max and add_header on 200, 206 and 304; always-only on a 404', async (t) => {
      const root = site(t);
      const input: SwitchyardInput = {
        upstreams: { unused: ['http://127.0.0.1:9'] },
        locations: {
          '/static/': {
            root,
            expires: 'max',
            addHeaders: [
              { name: 'Cache-Control', value: 'public' },
              { name: 'X-Frame-Options', value: 'DENY' },
              { name: 'X-Always', value: 'yes', always: true },
            ],
          },
        },
      };
      const proxy = await startProxy(t, driver, input);
      const ok = await get(proxy.port, '/static/app.css');
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'body { color: red }\n');
      assert.deepEqual(ok.lines.get('expires'), [MAX_DATE]);
      // nginx: expires' own Cache-Control first, then add_header's as a second line.
      assert.deepEqual(ok.lines.get('cache-control'), ['max-age=315360000', 'public']);
      assert.deepEqual(ok.lines.get('x-frame-options'), ['DENY']);
      assert.deepEqual(ok.lines.get('x-always'), ['yes']);

      const lastModified = ok.lines.get('last-modified')?.[0];
      assert.ok(lastModified !== undefined);
      const notModified = await get(proxy.port, '/static/app.css', { 'if-modified-since': lastModified });
      assert.equal(notModified.status, 304);
      assert.deepEqual(notModified.lines.get('cache-control'), ['max-age=315360000', 'public']);
      assert.deepEqual(notModified.lines.get('x-frame-options'), ['DENY']);

      const partial = await get(proxy.port, '/static/app.css', { range: 'bytes=0-3' });
      assert.equal(partial.status, 206);
      assert.equal(partial.body, 'body');
      assert.deepEqual(partial.lines.get('expires'), [MAX_DATE]);
      assert.deepEqual(partial.lines.get('x-frame-options'), ['DENY']);

      const missing = await get(proxy.port, '/static/none.css');
      assert.equal(missing.status, 404);
      assert.equal(missing.lines.get('x-frame-options'), undefined);
      assert.equal(missing.lines.get('expires'), undefined);
      assert.deepEqual(missing.lines.get('x-always'), ['yes']);
    });

    it('inheritance: the top-level list reaches a location without its own; a location with its own drops it; expires 1h and modified', async (t) => {
      const root = site(t);
      const proxy = await startProxy(t, driver, {
        upstreams: { unused: ['http://127.0.0.1:9'] },
        addHeaders: [{ name: 'Strict-Transport-Security', value: 'max-age=31536000' }],
        expires: '1h',
        locations: {
          '/plain/': { root },
          '/static/': { root, addHeaders: [{ name: 'X-Own', value: 'static' }], expires: { modified: '1d' } },
        },
      });
      const plain = await get(proxy.port, '/plain/a.txt');
      assert.equal(plain.status, 200);
      assert.deepEqual(plain.lines.get('strict-transport-security'), ['max-age=31536000']);
      assert.deepEqual(plain.lines.get('cache-control'), ['max-age=3600']);
      const expires = Date.parse(plain.lines.get('expires')?.[0] ?? '');
      const date = Date.parse(plain.lines.get('date')?.[0] ?? '');
      // Both are whole seconds of the same clock read a moment apart.
      assert.ok(Math.abs(expires - date - 3_600_000) <= 1000, `Expires ${String(expires)} is an hour after Date ${String(date)}`);

      const own = await get(proxy.port, '/static/app.css');
      assert.equal(own.lines.get('strict-transport-security'), undefined);
      assert.deepEqual(own.lines.get('x-own'), ['static']);
      // expires modified 1d: a day after the file's modification time.
      const mtime = Math.floor(statSync(join(root, 'static', 'app.css')).mtimeMs / 1000) * 1000;
      assert.equal(Date.parse(own.lines.get('expires')?.[0] ?? ''), mtime + 86_400_000);
      const age = Number(/^max-age=(\d+)$/.exec(own.lines.get('cache-control')?.[0] ?? '')?.[1]);
      assert.ok(age > 86_000 && age <= 86_400, `max-age ${age} counts from the file's time`);
    });

    it('returns, rewrite redirects, slash redirects and a server-level return get them too; variables are expanded', async (t) => {
      const [app] = await backendsFor(t, 1);
      const headers = [
        { name: 'X-Host', value: '$host$request_uri' },
        { name: 'X-Safe', value: 'yes' },
      ];
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        servers: [
          {
            names: ['shop.test'],
            addHeaders: headers,
            locations: {
              '= /moved': { return: { status: 302, url: '/new' } },
              '= /text': { return: { status: 200, body: 'hello' }, expires: 'epoch' },
              '= /gone': { return: { status: 410, body: 'gone' } },
              '/old/': { rewrite: [{ rewrite: '^/old/(.*)$', to: '/new/$1', flag: 'permanent' }] },
              '/api/': { upstream: 'app' },
            },
          },
          { names: ['old.test'], return: { status: 301, url: 'https://shop.test$request_uri' }, addHeaders: [{ name: 'X-Server', value: 'old' }] },
        ],
      });
      const host = { host: 'Shop.Test' };
      const moved = await get(proxy.port, '/moved?x=1', host);
      assert.equal(moved.status, 302);
      assert.deepEqual(moved.lines.get('x-host'), ['shop.test/moved?x=1']);
      const text = await get(proxy.port, '/text', host);
      assert.equal(text.body, 'hello');
      assert.deepEqual(text.lines.get('expires'), ['Thu, 01 Jan 1970 00:00:01 GMT']);
      assert.deepEqual(text.lines.get('cache-control'), ['no-cache']);
      const gone = await get(proxy.port, '/gone', host);
      assert.equal(gone.status, 410);
      assert.equal(gone.lines.get('x-safe'), undefined);
      const rewritten = await get(proxy.port, '/old/a', host);
      assert.equal(rewritten.status, 301);
      assert.deepEqual(rewritten.lines.get('x-safe'), ['yes']);
      const slash = await get(proxy.port, '/api', host);
      assert.equal(slash.status, 301);
      assert.deepEqual(slash.lines.get('x-safe'), ['yes']);
      const server = await get(proxy.port, '/p', { host: 'old.test' });
      assert.equal(server.status, 301);
      assert.deepEqual(server.lines.get('x-server'), ['old']);
    });

    it("proxied: expires replaces the upstream's Expires and Cache-Control; add_header skips a 500 unless always", async (t) => {
      const [app] = await backendsFor(t, 1);
      app!.handle((req, res) => {
        res.setHeader('cache-control', ['no-store', 'private']);
        res.setHeader('expires', 'Wed, 01 Jan 2020 00:00:00 GMT');
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end('from app');
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': {
            upstream: 'app',
            expires: '1d',
            addHeaders: [
              { name: 'X-Proxied', value: 'yes' },
              { name: 'X-Always', value: 'always', always: true },
            ],
          },
        },
      });
      const ok = await get(proxy.port, '/page');
      assert.equal(ok.body, 'from app');
      assert.deepEqual(ok.lines.get('cache-control'), ['max-age=86400']);
      assert.notEqual(ok.lines.get('expires')?.[0], 'Wed, 01 Jan 2020 00:00:00 GMT');
      assert.deepEqual(ok.lines.get('x-proxied'), ['yes']);
      const failed = await get(proxy.port, '/fail');
      assert.equal(failed.status, 500);
      // The upstream's own (one line or two, as each adapter passes it on), untouched at a 500.
      assert.equal(failed.lines.get('cache-control')?.join(', '), 'no-store, private');
      assert.equal(failed.lines.get('x-proxied'), undefined);
      assert.deepEqual(failed.lines.get('x-always'), ['always']);
    });
  });
}
