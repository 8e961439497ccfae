/** @module Scenario: locations that answer with nginx's rewrite module on both adapters: a location `return` (text, redirects with `$request_uri`, 444), `rewrite` last/break/redirect/permanent, Jenkins' `if (!-f $request_filename)` and a header `if`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call } from './support/http.js';
import { CONTENT, siteFiles } from './support/site-files.js';
import type { Backend } from '../helpers/backends.js';

/** The backend answers `METHOD URL`. */
function echo(backend: Backend): void {
  backend.handle((req: IncomingMessage, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${req.method} ${req.url}`);
  });
}

/** Writes one request on a new connection; every byte the server sent until it closed, and how it closed. */
function exchange(port: number, text: string): Promise<{ bytes: Buffer; how: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    let how = 'end';
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (how = err.code ?? err.message));
    socket.on('close', () => resolve({ bytes: Buffer.concat(chunks), how }));
  });
}

for (const driver of drivers) {
  describe(`${driver.name}: return and rewrite in locations`, () => {
    it('a location `return`: 200 with text, 301 with a url and $request_uri, 444 closes the connection with no byte', async (t) => {
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': 'app',
          '= /health': { return: { status: 200, body: 'ok $request_method $uri' } },
          '/old/': { return: { status: 301, url: 'https://new.test$request_uri' } },
          '/gone/': { return: { status: 410 } },
          '/wp-admin/': { return: { status: 444 } },
        },
      });
      const health = await call(`${proxy.url}/health?x=1`);
      assert.equal(health.status, 200);
      assert.equal(health.body, 'ok GET /health');
      assert.match(String(health.headers['content-type']), /^text\/plain\b/);
      const moved = await call(`${proxy.url}/old/a%20b?q=1&r=2`);
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, 'https://new.test/old/a%20b?q=1&r=2');
      assert.equal((await call(`${proxy.url}/gone/x`)).status, 410);

      const dropped = await exchange(proxy.port, 'GET /wp-admin/install.php HTTP/1.1\r\nHost: a.test\r\n\r\n');
      assert.deepEqual(dropped, { bytes: Buffer.alloc(0), how: 'end' });
      assert.equal((await call(`${proxy.url}/x`)).body, 'Server 1');
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/x'],
        'no answered request reached the upstream',
      );
    });

    it('rewrite `last` looks the location up again (the backend sees the new path); `break` stays (proxy or files)', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      echo(app!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/old/': { rewrite: [{ rewrite: '^/old/(.*)$', to: '/api/v2/$1', flag: 'last' }] },
          '/api/': 'app',
          '/v1/': { upstream: 'app', rewrite: [{ rewrite: '^/v1/(.*)$', to: '/internal/$1?from=v1', flag: 'break' }] },
          '/static/': { root: join(dir, 'public'), rewrite: [{ rewrite: '^/static/(.*)$', to: '/assets/$1', flag: 'break' }] },
        },
      });
      assert.equal((await call(`${proxy.url}/old/users/a%20b?q=1`)).body, 'GET /api/v2/users/a%20b?q=1');
      assert.equal((await call(`${proxy.url}/v1/x?q=1`)).body, 'GET /internal/x?from=v1&q=1');
      const css = await call(`${proxy.url}/static/app.css`);
      assert.equal(css.status, 200);
      assert.equal(css.body, CONTENT.css);
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/api/v2/users/a%20b?q=1', '/internal/x?from=v1&q=1'],
      );
    });

    it('rewrite `redirect` and `permanent`: 302 and 301 with Location, the arguments kept unless the replacement ends in `?`', async (t) => {
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': 'app',
          '/blog/': { rewrite: [{ rewrite: '^/blog/(\\d+)$', to: '/posts/$1', flag: 'redirect' }] },
          '/moved/': { rewrite: [{ rewrite: '^/moved/(.*)$', to: '/new/$1', flag: 'permanent' }] },
          '/ext/': { rewrite: [{ rewrite: '^/ext/(.*)$', to: 'https://other.test/$1?' }] },
        },
      });
      const temp = await call(`${proxy.url}/blog/42?ref=x`);
      assert.equal(temp.status, 302);
      assert.equal(temp.headers.location, '/posts/42?ref=x');
      const perm = await call(`${proxy.url}/moved/a/b`);
      assert.equal(perm.status, 301);
      assert.equal(perm.headers.location, '/new/a/b');
      const ext = await call(`${proxy.url}/ext/p?drop=me`);
      assert.equal(ext.status, 302);
      assert.equal(ext.headers.location, 'https://other.test/p');
      // A rewrite whose regex does not match leaves the location to its content: no upstream, so 404.
      assert.equal((await call(`${proxy.url}/blog/not-a-number`)).status, 404);
      assert.deepEqual(app!.seen, []);
    });

    it("Jenkins' pattern: `if (!-f $request_filename) { rewrite (.*) /$1 last; }` serves existing files and proxies the rest; the /static/<hex>/ rewrite", async (t) => {
      const dir = await siteFiles(t);
      const [jenkins] = await backendsFor(t, 1);
      echo(jenkins!);
      const home = join(dir, 'public');
      const proxy = await startProxy(t, driver, {
        upstreams: { jenkins: [jenkins!.url] },
        locations: {
          '~ ^/static/[0-9a-fA-F]{8}\\/(.*)$': { rewrite: [{ rewrite: '^/static/[0-9a-fA-F]{8}\\/(.*)', to: '/$1', flag: 'last' }] },
          '/assets': {
            root: home,
            rewrite: [{ if: '!-f $request_filename', then: [{ rewrite: '(.*)', to: '/$1', flag: 'last' }, { break: true }] }],
          },
          '/': 'jenkins',
        },
      });
      assert.equal((await call(`${proxy.url}/assets/app.css`)).body, CONTENT.css);
      // Not a file (missing, or a directory): Jenkins gets `//assets/...`, as from nginx.
      assert.equal((await call(`${proxy.url}/assets/job/x?y=1`)).body, 'GET //assets/job/x?y=1');
      assert.equal((await call(`${proxy.url}/static/0a1b2c3d/css/style.css`)).body, 'GET /css/style.css');
      assert.deepEqual(
        jenkins!.seen.map((s) => s.url),
        ['//assets/job/x?y=1', '/css/style.css'],
      );
    });

    it('`if ($http_x_foo = bar) { return 403; }` in a proxied location: 403 with the header, proxied without', async (t) => {
      const [app] = await backendsFor(t, 1);
      echo(app!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': {
            upstream: 'app',
            rewrite: [
              { if: '$http_x_foo = bar', then: [{ return: { status: 403 } }] },
              { if: '$http_user_agent ~* (sqlmap|nikto)', then: [{ return: { status: 444 } }] },
            ],
          },
        },
      });
      assert.equal((await call(`${proxy.url}/a`, { headers: { 'x-foo': 'bar' } })).status, 403);
      assert.equal((await call(`${proxy.url}/b`, { headers: { 'x-foo': 'baz' } })).body, 'GET /b');
      assert.equal((await call(`${proxy.url}/c`)).body, 'GET /c');
      const scanner = await exchange(proxy.port, 'GET /d HTTP/1.1\r\nHost: a.test\r\nUser-Agent: SQLMap/1.7\r\n\r\n');
      assert.equal(scanner.bytes.length, 0);
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/b', '/c'],
      );
    });
  });
}
