/** @module Scenario: an nginx config with `error_page 502 503 /50x.html` + `proxy_intercept_errors on` imports and serves the page, and add_header/proxy_hide_header shape responses. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy, totalActive } from './support/setup.js';
import { call } from './support/http.js';

const PAGE = '<!doctype html><h1>Sorry, we are down for a moment</h1>\n';

function htmlRoot(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-50x-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '50x.html'), PAGE);
  return dir;
}

for (const driver of drivers) {
  describe(`${driver.name}: nginx error_page import`, () => {
    it('serves /50x.html for an upstream 503 (intercepted), a refused connection (502) and no live server', async (t) => {
      const root = htmlRoot(t);
      const [app, gone] = await backendsFor(t, 2);
      app!.handle((req, res) => {
        const status = req.url === '/busy' ? 503 : 200;
        res.writeHead(status, { 'content-type': 'text/plain', server: 'app/1.0', 'x-powered-by': 'php' });
        res.end(status === 503 ? 'upstream busy page' : 'hello');
      });
      await gone!.stop();
      const nginx = `
        upstream app { server 127.0.0.1:${app!.port}; }
        upstream gone { server 127.0.0.1:${gone!.port}; }
        upstream off { server 127.0.0.1:${gone!.port} down; }
        server {
          listen 80;
          proxy_intercept_errors on;
          error_page 502 503 /50x.html;
          add_header X-Frame-Options DENY;
          proxy_hide_header X-Powered-By;
          location /app/ { proxy_pass http://app/; }
          location /gone/ { proxy_pass http://gone/; }
          location /off/ { proxy_pass http://off/; }
          location = /50x.html { root ${root}; }
        }`;
      const proxy = await startProxy(t, driver, { nginx });

      const ok = await call(`${proxy.url}/app/hello`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'hello');
      assert.equal(ok.headers['x-frame-options'], 'DENY');
      // proxy_hide_header hides the upstream's header (Express's own X-Powered-By is the app's: app.disable('x-powered-by')).
      assert.notEqual(ok.headers['x-powered-by'], 'php');
      // nginx hides the upstream's Server by default (and writes its own; switchyard writes none).
      assert.equal(ok.headers.server, undefined);

      const busy = await call(`${proxy.url}/app/busy`);
      assert.equal(busy.status, 503);
      assert.equal(busy.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(busy.body, PAGE);

      for (const path of ['/gone/x', '/off/x']) {
        const answer = await call(`${proxy.url}${path}`);
        assert.equal(answer.status, 502, path);
        assert.equal(answer.body, PAGE, path);
      }
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/hello', '/busy'],
      );
      assert.equal(totalActive(proxy), 0);
    });
  });
}
