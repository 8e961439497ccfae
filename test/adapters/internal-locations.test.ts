/** @module Scenario: internal locations (404 to clients), X-Accel-Redirect followed as nginx does, nested locations and the absolute slash redirect, on both adapters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNginxConfig } from '@switchyard/core';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';
import type { Backend } from '../helpers/backends.js';
import { startNginxSite as startNginx } from '../helpers/real-nginx.js';

/** The app backend: answers with `X-Accel-Redirect: <?to=...>` and headers nginx keeps (or not) for the final answer. */
function redirecting(app: Backend): void {
  app.handle((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    const headers: Record<string, string | string[]> = {
      'content-type': 'text/first',
      'set-cookie': 'first=1',
      'cache-control': 'private',
      etag: '"first"',
      'x-first': 'dropped',
    };
    if (to !== null) headers['x-accel-redirect'] = to;
    res.writeHead(200, headers);
    res.end("first body, never the client's");
  });
}

/** The file backend: echoes method and URL; `again` in the URL redirects once more. */
function files(backend: Backend): void {
  backend.handle((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const headers: Record<string, string> = { 'set-cookie': 'final=2', 'x-final': 'yes' };
      if (req.url?.includes('again') === true) headers['x-accel-redirect'] = req.url;
      res.writeHead(200, headers);
      res.end(`${req.method} ${req.url} body=${body}`);
    });
  });
}

/** The requests of the differential test; `to` is the X-Accel-Redirect the app backend answers with. */
const SEQUENCE: Array<{ method: string; path: string; body?: string }> = [
  { method: 'POST', path: '/app/d?to=/files/a.txt%3Fv%3D2', body: 'upload' },
  { method: 'HEAD', path: '/app/x?to=/files/h' },
  { method: 'DELETE', path: '/app/x?to=@store' },
  { method: 'GET', path: '/files/a' },
  { method: 'GET', path: '/app/x?to=/nowhere' },
  { method: 'GET', path: '/app/x?to=/files/../x' },
  { method: 'GET', path: '/app/x?to=/files' },
  { method: 'GET', path: '/app/x?to=/files/again' },
];

/** What the client got (the headers nginx keeps or sets) and what the file backend saw, ports written as PORT. */
async function record(base: string, port: number, store: Backend): Promise<string[]> {
  const out: string[] = [];
  for (const r of SEQUENCE) {
    const before = store.seen.length;
    const a = await call(`${base}${r.path}`, { method: r.method, ...(r.body !== undefined ? { body: r.body } : {}) });
    const ok = a.status === 200;
    const seen = store.seen.slice(before).map((s) => `${s.method} ${s.url}`);
    out.push(
      [
        `${r.method} ${r.path} -> ${a.status}`,
        ok ? `body=${a.body}` : '',
        ok ? `type=${String(a.headers['content-type'])}` : '',
        `cookies=${(a.headers['set-cookie'] ?? []).join(',')}`,
        ok ? `cache=${String(a.headers['cache-control'])}` : '',
        `location=${(a.headers.location ?? '').replace(`:${port}/`, ':PORT/')}`,
        `store saw ${seen.length}: ${seen.slice(0, 2).join(', ')}`,
      ].join(' '),
    );
  }
  return out;
}

describe('X-Accel-Redirect and internal locations: both adapters answer as real nginx', () => {
  it('matches nginx request by request (statuses, bodies, kept headers, what the file server saw)', async (t) => {
    const [app, store] = await backendsFor(t, 2);
    redirecting(app!);
    files(store!);
    const server = (listen: string): string => `server {
      listen ${listen};
      location /app/ { proxy_pass ${app!.url}; }
      location /files/ { internal; proxy_pass ${store!.url}; }
      location @store { proxy_pass ${store!.url}; }
    }`;
    const nginx = await startNginx(server);
    t.after(() => nginx.stop());
    const expected = await record(`http://127.0.0.1:${nginx.port}`, nginx.port, store!);
    // Not trivial: followed, kept headers, a 404 and the loop's 500 are in it.
    assert.match(expected[0]!, /-> 200 body=GET \/files\/a\.txt\?v=2 body=upload type=text\/first cookies=first=1,final=2 cache=private/);
    assert.match(expected[7]!, /-> 500 .* store saw 10/);
    for (const driver of drivers) {
      const proxy = await startProxy(t, driver, parseNginxConfig(server('127.0.0.1:1')));
      const got = await record(proxy.url, proxy.port, store!);
      assert.deepEqual(got, expected, driver.name);
      await proxy.close();
    }
  });
});

for (const driver of drivers) {
  describe(`${driver.name}: internal locations and X-Accel-Redirect`, () => {
    it('answers 404 to a client request for an internal location; its upstream sees nothing (security)', async (t) => {
      const [app, secret] = await backendsFor(t, 2);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url], secret: [secret!.url] },
        locations: {
          '/': 'app',
          '/protected/': { upstream: 'secret', internal: true, locations: { '/protected/deeper/': 'secret' } },
          '@files': 'secret',
        },
      });
      for (const path of ['/protected/file.txt', '/protected/', '/protected', '/protected/deeper/x', '/%70rotected/x', '/a/../protected/x']) {
        const answer = await call(`${proxy.url}${path}`);
        assert.equal(answer.status, 404, path);
      }
      assert.equal((await call(`${proxy.url}/@files`)).body, 'Server 1');
      assert.equal(secret!.seen.length, 0);
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/@files'],
      );
    });

    it('follows X-Accel-Redirect to an internal location: GET with the held body, kept headers, first body discarded', async (t) => {
      const [app, store] = await backendsFor(t, 2);
      redirecting(app!);
      files(store!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url], store: [store!.url] },
        locations: { '/app/': 'app', '/files/': { upstream: 'store', internal: true, rewritePrefix: '/bucket/' } },
      });
      const answer = await call(`${proxy.url}/app/download?to=/files/a.txt%3Fv%3D2`, { method: 'POST', body: 'upload' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'GET /bucket/a.txt?v=2 body=upload');
      // nginx keeps Set-Cookie, Cache-Control (and Content-Type when the final answer has none) of the first response.
      assert.deepEqual(answer.headers['set-cookie'], ['first=1', 'final=2']);
      assert.equal(answer.headers['cache-control'], 'private');
      assert.equal(answer.headers['content-type'], 'text/first');
      assert.equal(answer.headers['x-final'], 'yes');
      assert.equal(answer.headers['x-first'], undefined);
      assert.equal(answer.headers.etag, undefined);
      assert.equal(answer.headers['x-accel-redirect'], undefined);
      assert.deepEqual(
        store!.seen.map((s) => `${s.method} ${s.url} ${s.headers['content-length'] ?? '-'}`),
        ['GET /bucket/a.txt?v=2 6'],
      );
      assert.equal(totalActive(proxy), 0);
    });

    it('a streamed (chunked) upload is not sent again with the redirect: the GET has no body', async (t) => {
      const [app, store] = await backendsFor(t, 2);
      redirecting(app!);
      files(store!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url], store: [store!.url] },
        locations: { '/app/': 'app', '/files/': { upstream: 'store', internal: true } },
      });
      const answer = await call(`${proxy.url}/app/up?to=/files/s`, {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked' },
        parts: ['part one, ', 'part two'],
      });
      assert.equal(answer.body, 'GET /files/s body=');
      const seen = store!.seen[0]!;
      assert.deepEqual([seen.headers['content-length'], seen.headers['transfer-encoding']], [undefined, undefined]);
      assert.equal(totalActive(proxy), 0);
    });

    it('HEAD stays HEAD; a named location keeps method and URI; unknown and unsafe URIs answer 404', async (t) => {
      const [app, store] = await backendsFor(t, 2);
      redirecting(app!);
      files(store!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url], store: [store!.url] },
        locations: { '/app/': 'app', '/files/': { upstream: 'store', internal: true }, '@store': 'store' },
      });
      assert.equal((await call(`${proxy.url}/app/x?to=/files/h`, { method: 'HEAD' })).status, 200);
      assert.equal((await call(`${proxy.url}/app/x?to=@store`, { method: 'DELETE' })).body, 'DELETE /app/x?to=@store body=');
      assert.equal((await call(`${proxy.url}/app/x?to=/nowhere`)).status, 404);
      assert.equal((await call(`${proxy.url}/app/x?to=/files/../etc/passwd`)).status, 404);
      assert.equal((await call(`${proxy.url}/app/x?to=/files/%2e%2e/etc`)).status, 404);
      assert.equal((await call(`${proxy.url}/app/x?to=@missing`)).status, 500);
      assert.deepEqual(
        store!.seen.map((s) => `${s.method} ${s.url}`),
        ['HEAD /files/h', 'DELETE /app/x?to=@store'],
      );
    });

    it('stops a redirect loop after 10 redirects with a 500, as nginx', async (t) => {
      const [app, store] = await backendsFor(t, 2);
      redirecting(app!);
      files(store!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url], store: [store!.url] },
        locations: { '/app/': 'app', '/files/': { upstream: 'store', internal: true } },
      });
      const answer = await call(`${proxy.url}/app/x?to=/files/again`);
      assert.equal(answer.status, 500);
      assert.equal(store!.seen.length, 10);
      assert.equal(totalActive(proxy), 0);
    });

    it('passes X-Accel-Redirect through untouched when no location is internal and accelRedirect is not set (JS default)', async (t) => {
      const [app, store] = await backendsFor(t, 2);
      redirecting(app!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url], store: [store!.url] },
        locations: { '/app/': 'app', '/files/': 'store' },
      });
      const answer = await call(`${proxy.url}/app/x?to=/files/a`);
      assert.equal(answer.body, "first body, never the client's");
      assert.equal(store!.seen.length, 0);
    });

    it('imports internal, nested locations and proxy_ignore_headers X-Accel-Redirect from nginx', async (t) => {
      const [app, store] = await backendsFor(t, 2);
      redirecting(app!);
      files(store!);
      const proxy = await startProxy(
        t,
        driver,
        parseNginxConfig(`
          server {
            location /app/ {
              proxy_pass ${app!.url};
              location /app/raw/ { proxy_ignore_headers X-Accel-Redirect; proxy_pass ${app!.url}; }
            }
            location /files/ { internal; proxy_pass ${store!.url}; }
          }`),
      );
      assert.equal((await call(`${proxy.url}/files/a`)).status, 404);
      assert.equal((await call(`${proxy.url}/app/x?to=/files/a`)).body, 'GET /files/a body=');
      assert.equal((await call(`${proxy.url}/app/raw/x?to=/files/a`)).body, "first body, never the client's");
      assert.deepEqual(
        store!.seen.map((s) => s.url),
        ['/files/a'],
      );
    });
  });

  describe(`${driver.name}: the slash redirect`, () => {
    it('is absolute for an imported config (Host without its port, the listening port), relative with absolute_redirect off', async (t) => {
      const [api] = await backendsFor(t, 1);
      const proxy = await startProxy(
        t,
        driver,
        parseNginxConfig(`
          server {
            location /api/ { proxy_pass ${api!.url}; }
            location /rel/ { absolute_redirect off; proxy_pass ${api!.url}; }
          }`),
      );
      const absolute = await call(`${proxy.url}/api?x=1`, { headers: { host: 'Example.COM:9999' } });
      assert.equal(absolute.status, 301);
      assert.equal(absolute.headers.location, `http://example.com:${proxy.port}/api/?x=1`);
      assert.equal((await call(`${proxy.url}/rel`)).headers.location, '/rel/');
      assert.equal(api!.seen.length, 0);
    });
  });
}
