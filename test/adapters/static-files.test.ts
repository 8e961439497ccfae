/** @module Scenario: nginx `root`, `alias` and `index` on both adapters with real files: bodies and headers from @fastify/static / serve-static (HEAD, Range, ETag, Last-Modified), methods, and no path out of the served directory. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call } from './support/http.js';
import { CONTENT, rawCall, siteFiles } from './support/site-files.js';

for (const driver of drivers) {
  describe(`${driver.name}: static files (root, alias, index)`, () => {
    it('root: GET a file with its content type, HEAD with the same headers and no body, a missing file 404', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: { '/': { root: join(dir, 'public') }, '/api/': 'app' },
      });
      const got = await call(`${proxy.url}/assets/app.css`);
      assert.equal(got.status, 200);
      assert.equal(got.body, CONTENT.css);
      assert.match(String(got.headers['content-type']), /^text\/css\b/);
      assert.equal(got.headers['content-length'], String(Buffer.byteLength(CONTENT.css)));
      assert.equal(got.headers['cache-control'], undefined, "nginx's static module sends no Cache-Control, nor does switchyard's setup of the library");

      const head = await call(`${proxy.url}/assets/app.css`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.bytes.length, 0);
      for (const name of ['content-type', 'content-length', 'etag', 'last-modified']) {
        assert.ok(got.headers[name] !== undefined, `GET has ${name}`);
        assert.equal(head.headers[name], got.headers[name], `HEAD's ${name} is GET's`);
      }

      const missing = await call(`${proxy.url}/assets/nope.css`);
      assert.equal(missing.status, 404);
      assert.equal((await call(`${proxy.url}/api/x`)).body, 'Server 1');
      assert.deepEqual(
        app!.seen.map((s) => s.url),
        ['/api/x'],
        'no file request reached the upstream',
      );
    });

    it('index: `/` serves index.html, a custom list is tried in order, a directory without its slash is redirected, without an index file 403', async (t) => {
      const dir = await siteFiles(t);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: ['http://127.0.0.1:9'] },
        locations: {
          '/': { root: join(dir, 'public') },
          '/docs/': { root: join(dir, 'public'), index: ['missing.html', 'home.htm', 'index.html'] },
        },
      });
      const home = await call(`${proxy.url}/`);
      assert.equal(home.status, 200);
      assert.equal(home.body, CONTENT.home);
      assert.match(String(home.headers['content-type']), /^text\/html\b/);
      const docs = await call(`${proxy.url}/docs/`);
      assert.equal(docs.body, CONTENT.docsHome);
      const slash = await call(`${proxy.url}/docs?v=1`);
      assert.equal(slash.status, 301);
      assert.equal(slash.headers.location, '/docs/?v=1');
      assert.equal((await call(`${proxy.url}/empty/`)).status, 403);
      assert.equal((await call(`${proxy.url}/nowhere/`)).status, 404);
    });

    it('Range gives 206 with Content-Range; If-None-Match and If-Modified-Since give 304 (the libraries, through switchyard)', async (t) => {
      const dir = await siteFiles(t);
      const proxy = await startProxy(t, driver, { upstreams: { app: ['http://127.0.0.1:9'] }, locations: { '/': { root: join(dir, 'public') } } });
      const url = `${proxy.url}/assets/app.css`;
      const size = Buffer.byteLength(CONTENT.css);
      const part = await call(url, { headers: { range: 'bytes=5-9' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-range'], `bytes 5-9/${size}`);
      assert.equal(part.body, CONTENT.css.slice(5, 10));
      const tail = await call(url, { headers: { range: 'bytes=-4' } });
      assert.equal(tail.status, 206);
      assert.equal(tail.body, CONTENT.css.slice(-4));
      const unsatisfiable = await call(url, { headers: { range: `bytes=${size + 10}-` } });
      assert.equal(unsatisfiable.status, 416);
      assert.equal(unsatisfiable.headers['content-range'], `bytes */${size}`);

      const first = await call(url);
      const etag = first.headers.etag;
      assert.ok(etag !== undefined && etag !== '', 'an ETag');
      const fresh = await call(url, { headers: { 'if-none-match': etag } });
      assert.equal(fresh.status, 304);
      assert.equal(fresh.bytes.length, 0);
      assert.equal((await call(url, { headers: { 'if-none-match': '"something-else"' } })).status, 200);

      const modified = first.headers['last-modified'];
      assert.equal(modified, new Date((await stat(join(dir, 'public/assets/app.css'))).mtime).toUTCString(), "the file's mtime");
      assert.equal((await call(url, { headers: { 'if-modified-since': modified } })).status, 304);
      assert.equal((await call(url, { headers: { 'if-modified-since': new Date(0).toUTCString() } })).status, 200);
    });

    it('alias: `location /i/ { alias DIR/; }` serves DIR; the classic `location /i { alias DIR/; }` + /i../ never leaves DIR, encoded or not', async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: {
          '/img/': { alias: `${join(dir, 'data')}/` },
          '/i': { alias: `${join(dir, 'data')}/` },
          '~ ^/pic-(.+)$': { alias: `${join(dir, 'data')}/$1` },
          '/': 'app',
        },
      });
      const logo = await call(`${proxy.url}/img/logo.png`);
      assert.equal(logo.status, 200);
      assert.equal(logo.body, CONTENT.image);
      assert.match(String(logo.headers['content-type']), /^image\/png\b/);
      assert.equal((await call(`${proxy.url}/i/sub/x.txt`)).body, CONTENT.data);
      assert.equal((await call(`${proxy.url}/img/missing.png`)).status, 404);
      // A regex location's alias takes its captures, from the decoded URI (nginx).
      assert.equal((await rawCall(proxy.port, '/pic-logo.png')).body, CONTENT.image);
      assert.equal((await rawCall(proxy.port, '/pic-sub%2Fx.txt')).body, CONTENT.data);

      // nginx maps `/i../etc/passwd` to DIR/../etc/passwd and serves it; here DIR/../etc/passwd exists.
      const attempts = [
        '/i../etc/passwd',
        '/i../secret.txt',
        '/i%2e%2e/etc/passwd',
        '/i%2E%2E/secret.txt',
        '/i..%2fetc%2fpasswd',
        '/i..%2Fsecret.txt',
        '/i%2e%2e%2fsecret.txt',
        '/i/..%2f..%2fsecret.txt',
        '/img/..%2f..%2fsecret.txt',
        '/img/%2e%2e/%2e%2e/etc/passwd',
        '/img/../../etc/passwd',
        '/i/../../secret.txt',
        '/pic-..%2fsecret.txt',
        '/pic-%2e%2e%2fetc%2fpasswd',
        '/pic-../secret.txt',
      ];
      for (const path of attempts) {
        const a = await rawCall(proxy.port, path);
        assert.ok([400, 403, 404].includes(a.status), `${path}: ${a.status}`);
        assert.ok(!a.body.includes('SECRET'), `${path} never reads a file outside the alias directory`);
      }
      // Nor were they proxied by `location /` (a path climbing above `/` is refused before any location).
      assert.deepEqual(app!.seen, []);
    });

    it('root: `/../`, `%2e%2e%2f` and friends never leave the root; a symlink inside the root is followed, as nginx (disable_symlinks off)', async (t) => {
      const dir = await siteFiles(t);
      const proxy = await startProxy(t, driver, { upstreams: { app: ['http://127.0.0.1:9'] }, locations: { '/': { root: join(dir, 'public') } } });
      const attempts = [
        '/../secret.txt',
        '/../etc/passwd',
        '/%2e%2e/secret.txt',
        '/%2e%2e%2fsecret.txt',
        '/..%2fsecret.txt',
        '/assets/../../secret.txt',
        '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
        '/assets/..%5c..%5csecret.txt',
        '/assets/app.css%00.txt',
        '//../secret.txt',
      ];
      for (const path of attempts) {
        const a = await rawCall(proxy.port, path);
        assert.ok([400, 403, 404].includes(a.status), `${path}: ${a.status}`);
        assert.ok(!a.body.includes('SECRET'), `${path} never reads a file outside the root`);
      }
      // A `..` that stays inside the root is an ordinary path once normalised.
      assert.equal((await rawCall(proxy.port, '/assets/../assets/app.css')).body, CONTENT.css);
      // The mapping is lexical (file-path.ts): the operator's symlinks are the operator's, as in nginx.
      const link = await call(`${proxy.url}/link-out.txt`);
      assert.equal(link.status, 200);
      assert.equal(link.body, CONTENT.secret);
    });

    it("file names that need encoding, dot files (certbot's webroot) and a large file stream through both libraries", async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'sy-names-'));
      t.after(() => rm(dir, { recursive: true, force: true }));
      const names = [
        'a b.txt',
        'café.txt',
        '100%.txt',
        'q?.txt',
        'h#.txt',
        'plus+.txt',
        '%41.txt',
        'A.txt',
        'dir with space/x.txt',
        '.well-known/acme-challenge/tok3n',
      ];
      for (const name of names) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), `file ${name}`);
      }
      const big = Buffer.alloc(3_000_000);
      for (let i = 0; i < big.length; i++) big[i] = i % 251;
      await writeFile(join(dir, 'big.bin'), big);
      const proxy = await startProxy(t, driver, { upstreams: { app: ['http://127.0.0.1:9'] }, locations: { '/': { root: dir } } });
      const served: Record<string, string> = {
        '/a%20b.txt?x=1': 'a b.txt',
        '/caf%C3%A9.txt': 'café.txt',
        '/100%25.txt': '100%.txt',
        '/q%3F.txt': 'q?.txt',
        '/h%23.txt': 'h#.txt',
        '/plus+.txt': 'plus+.txt',
        '/plus%2B.txt': 'plus+.txt',
        '/%2541.txt': '%41.txt',
        '/%41.txt': 'A.txt',
        '/dir%20with%20space/x.txt': 'dir with space/x.txt',
        '/.well-known/acme-challenge/tok3n': '.well-known/acme-challenge/tok3n',
      };
      for (const [path, name] of Object.entries(served)) {
        const a = await rawCall(proxy.port, path);
        assert.equal(`${a.status} ${a.body}`, `200 file ${name}`, path);
      }
      const moved = await rawCall(proxy.port, '/dir%20with%20space');
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, '/dir%20with%20space/');
      const whole = await call(`${proxy.url}/big.bin`);
      assert.equal(whole.bytes.equals(big), true, 'every byte of the large file');
      const middle = await call(`${proxy.url}/big.bin`, { headers: { range: 'bytes=1500000-1500099' } });
      assert.equal(middle.status, 206);
      assert.equal(middle.bytes.equals(big.subarray(1_500_000, 1_500_100)), true);
    });

    it("methods: GET and HEAD serve a file; POST, PUT, DELETE, OPTIONS on it get 405, and the others 405 even with no file (nginx's static module); the upstream sees none", async (t) => {
      const dir = await siteFiles(t);
      const [app] = await backendsFor(t, 1);
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [app!.url] },
        locations: { '/': { root: join(dir, 'public') }, '/api/': 'app' },
      });
      for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
        const a = await call(`${proxy.url}/assets/app.css`, { method, body: 'a=1' });
        assert.equal(a.status, 405, method);
        assert.ok(!a.body.includes('color'), `${method} gets no file`);
      }
      // The index file too: `/` is an internal redirect to /index.html, which is a file.
      assert.equal((await call(`${proxy.url}/`, { method: 'POST', body: 'x' })).status, 405);
      // Where there is no file, nginx (1.22, recorded) answers POST as GET would and refuses the others before looking.
      const paths = ['/missing', '/assets', '/empty/'];
      const statuses = async (method: string): Promise<number[]> => {
        const out: number[] = [];
        for (const path of paths) out.push((await call(`${proxy.url}${path}`, { method })).status);
        return out;
      };
      assert.deepEqual(await statuses('POST'), [404, 301, 403]);
      assert.deepEqual(await statuses('OPTIONS'), [405, 405, 405]);
      assert.deepEqual(await statuses('DELETE'), [405, 405, 405]);
      assert.equal((await call(`${proxy.url}/api/x`, { method: 'POST', body: 'x' })).body, 'Server 1');
      assert.deepEqual(
        app!.seen.map((s) => `${s.method} ${s.url}`),
        ['POST /api/x'],
      );
    });
  });
}
