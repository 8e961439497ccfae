/** @module Scenario: nginx `try_files` on both adapters with real files: `$uri $uri/ =404`, `$uri @app` (a named location proxying to a real backend with the original URI and body), and the SPA fallback `$uri /index.html`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';
import { CONTENT, siteFiles } from './support/site-files.js';
import type { Backend } from '../helpers/backends.js';

/** The backend answers `METHOD URL body=BODY`. */
function echo(backend: Backend): void {
  backend.handle((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} body=${body}`);
    });
  });
}

for (const driver of drivers) {
  describe(`${driver.name}: try_files`, () => {
    it('`$uri $uri/ =404`: a file, a directory (its slash, then its index), else 404 (never the app)', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': { root: join(dir, 'public'), tryFiles: ['$uri', '$uri/', '=404'], index: ['home.htm', 'index.html'] },
          '/api/': 'app',
        },
      });
      assert.equal((await call(`${proxy.url}/assets/app.css`)).body, CONTENT.css);
      // `$uri/` finds the directory: `/docs` is redirected to `/docs/` (nginx 1.22), whose index is
      // home.htm (the first listed that exists); `$uri` alone never matches a directory.
      const docs = await call(`${proxy.url}/docs?a=1`);
      assert.equal(docs.status, 301);
      assert.equal(docs.headers.location, '/docs/?a=1');
      assert.equal((await call(`${proxy.url}/docs/`)).body, CONTENT.docsHome);
      assert.equal((await call(`${proxy.url}/empty/`)).status, 403);
      assert.equal((await call(`${proxy.url}/assets/app.css/`)).status, 404);
      const none = await call(`${proxy.url}/users/1`);
      assert.equal(none.status, 404);
      assert.equal(none.body.includes('Server'), false);
      assert.deepEqual(app!.seen, []);
    });

    it('`$uri @app`: existing files are served, everything else reaches the named location with the original URI, method and body', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      echo(app!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': { root: join(dir, 'public'), tryFiles: ['$uri', '@app'] },
          '@app': 'app',
        },
      });
      assert.equal((await call(`${proxy.url}/assets/app.css`)).body, CONTENT.css);
      assert.equal((await call(`${proxy.url}/users/1?x=%41&y=a%20b`)).body, 'GET /users/1?x=%41&y=a%20b body=');
      assert.equal((await call(`${proxy.url}/caf%C3%A9/x%2Fy`)).body, 'GET /caf%C3%A9/x%2Fy body=');
      // A form post (Rails, Django): no file, so the app gets it with its body.
      assert.equal((await call(`${proxy.url}/session`, { method: 'POST', body: 'user=a&pass=b' })).body, 'POST /session body=user=a&pass=b');
      // `$uri` tests a regular file: `/` and `/docs/` are directories, so the app gets them (nginx 1.22).
      assert.equal((await call(`${proxy.url}/`)).body, 'GET / body=');
      assert.equal((await call(`${proxy.url}/docs/`)).body, 'GET /docs/ body=');
      // A named location is no client path.
      assert.equal((await call(`${proxy.url}/@app`)).body, 'GET /@app body=');
      assert.deepEqual(
        app!.seen.map((s) => `${s.method} ${s.url}`),
        ['GET /users/1?x=%41&y=a%20b', 'GET /caf%C3%A9/x%2Fy', 'POST /session', 'GET /', 'GET /docs/', 'GET /@app'],
      );
      assert.equal(totalActive(proxy), 0);
    });

    it('`$uri /spa.html` (single-page app): unknown paths get the shell, files and the API stay themselves', async (t) => {
      const dir = await siteFiles(t);
      const [api] = await backendsFor(t, 1);
      echo(api!);
      const proxy = await startProxy(t, driver, {
        upstreams: { api: [api!.url] },
        locations: {
          '/': { root: join(dir, 'public'), tryFiles: ['$uri', '/spa.html'] },
          '/api/': 'api',
        },
      });
      for (const path of ['/dashboard', '/users/42/edit?tab=2', '/deep/a/b/c']) {
        const shell = await call(`${proxy.url}${path}`);
        assert.equal(shell.status, 200, path);
        assert.equal(shell.body, CONTENT.spa, path);
        assert.match(String(shell.headers['content-type']), /^text\/html\b/);
      }
      assert.equal((await call(`${proxy.url}/assets/app.css`)).body, CONTENT.css);
      assert.equal((await call(`${proxy.url}/api/users?x=1`)).body, 'GET /api/users?x=1 body=');
      assert.deepEqual(
        api!.seen.map((s) => s.url),
        ['/api/users?x=1'],
      );
    });

    it('a try_files fallback URI into a proxied location sends the fallback URI (nginx: an internal redirect)', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      echo(app!);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/': { root: join(dir, 'public'), tryFiles: ['$uri', '/app$uri?$args'] },
          '/app/': 'app',
        },
      });
      assert.equal((await call(`${proxy.url}/assets/app.css`)).body, CONTENT.css);
      assert.equal((await call(`${proxy.url}/u/1?x=2`)).body, 'GET /app/u/1?x=2 body=');
    });
  });
}
