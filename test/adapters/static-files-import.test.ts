/** @module Scenario: an nginx site given as text (`{ nginx }`) with root, alias, index, try_files @app, a location return and a rewrite, on both adapters: files served from a real directory, the rest proxied to a real backend. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';
import { CONTENT, rawCall, siteFiles } from './support/site-files.js';

/** The gunicorn/Rails shape: files first, the app for everything else. */
function site(dir: string, port: number): string {
  return `
upstream app_server { server 127.0.0.1:${port} fail_timeout=0; }
server {
    listen 80 default_server;
    server_name _;
    client_max_body_size 4G;
    root ${join(dir, 'public')};
    index home.htm index.html;

    location / {
        try_files $uri @proxy_to_app;
    }
    location @proxy_to_app {
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header Host $http_host;
        proxy_redirect off;
        proxy_pass http://app_server;
    }
    location /media/ {
        alias ${join(dir, 'data')}/;
    }
    location /m {
        alias ${join(dir, 'data')}/;
    }
    location = /healthz {
        return 200 "ok\\n";
    }
    location /legacy/ {
        rewrite ^/legacy/(.*)$ /api/$1 last;
    }
    location /api/ {
        proxy_pass http://app_server;
    }
}
`;
}

for (const driver of drivers) {
  describe(`${driver.name}: static files from an imported nginx site`, () => {
    it('root + try_files $uri @proxy_to_app, alias, return and rewrite last behave as in nginx', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      app!.handle((req: IncomingMessage, res) => {
        res.setHeader('content-type', 'text/plain');
        res.end(`app ${req.method} ${req.url} host=${req.headers.host ?? ''}`);
      });
      const proxy = await startProxy(t, driver, { nginx: site(dir, app!.port) });

      const css = await call(`${proxy.url}/assets/app.css`);
      assert.equal(css.status, 200);
      assert.equal(css.body, CONTENT.css);
      assert.match(String(css.headers['content-type']), /^text\/css\b/);
      // `$uri` is a file test: `/docs/` is a directory, so try_files goes on to the app (nginx has no `$uri/` here).
      assert.equal((await call(`${proxy.url}/docs/`)).body, `app GET /docs/ host=127.0.0.1:${proxy.port}`);
      assert.equal(
        (await call(`${proxy.url}/accounts/login/?next=%2F`, { headers: { host: 'shop.test' } })).body,
        'app GET /accounts/login/?next=%2F host=shop.test',
      );
      assert.equal((await call(`${proxy.url}/upload`, { method: 'POST', body: 'file=1' })).body, `app POST /upload host=127.0.0.1:${proxy.port}`);

      assert.equal((await call(`${proxy.url}/media/logo.png`)).body, CONTENT.image);
      assert.equal((await call(`${proxy.url}/m/sub/x.txt`)).body, CONTENT.data);
      for (const path of ['/m../etc/passwd', '/m%2e%2e/secret.txt', '/m..%2fsecret.txt', '/media/..%2f..%2fetc/passwd']) {
        const a = await rawCall(proxy.port, path);
        assert.ok([400, 403, 404].includes(a.status), `${path}: ${a.status}`);
        assert.ok(!a.body.includes('SECRET'), path);
      }

      const health = await call(`${proxy.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.body, 'ok\n');
      // /api/ sets no Host: nginx's default `$proxy_host`, the upstream's name.
      assert.equal((await call(`${proxy.url}/legacy/v/1?x=y`)).body, 'app GET /api/v/1?x=y host=app_server');

      assert.deepEqual(
        app!.seen.map((s) => `${s.method} ${s.url}`),
        ['GET /docs/', 'GET /accounts/login/?next=%2F', 'POST /upload', 'GET /api/v/1?x=y'],
      );
      assert.equal(totalActive(proxy), 0);
    });
  });
}
