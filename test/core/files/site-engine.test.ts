/** Core tests of nginx's phases for locations that answer themselves: files (root, alias, index, try_files), return, rewrite and if, on a real temp directory. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchyard, type FilesAnswer, type SiteMatch, type Switchyard, type SwitchyardOptions } from '@switchyard/core';

let dir = '';
const made: Switchyard[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-files-'));
  await mkdir(join(dir, 'public/assets'), { recursive: true });
  await mkdir(join(dir, 'public/docs'), { recursive: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, 'public/.well-known/acme-challenge'), { recursive: true });
  await writeFile(join(dir, 'public/assets/app.css'), 'css');
  await writeFile(join(dir, 'public/index.html'), 'home');
  await writeFile(join(dir, 'public/docs/index.htm'), 'docs');
  await writeFile(join(dir, 'public/.well-known/acme-challenge/token'), 'tok');
  await writeFile(join(dir, 'data/x.txt'), 'x');
  await writeFile(join(dir, 'secret.txt'), 'secret');
});

after(async () => {
  await Promise.all(made.map((sy) => sy.close()));
  await rm(dir, { recursive: true, force: true });
});

function make(options: Omit<SwitchyardOptions, 'upstreams'> & { upstreams?: SwitchyardOptions['upstreams'] }): Switchyard {
  const sy = createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, ...options });
  made.push(sy);
  return sy;
}

/** A readable summary of what a request gets, following file lookups to their end. */
async function ask(sy: Switchyard, url: string, method = 'GET', headers: Record<string, string> = {}): Promise<string> {
  let m: SiteMatch | FilesAnswer = sy.matchSite(method, url, headers.host ?? 'example.test', 'http', { headers, remoteAddress: '127.0.0.1' });
  if (m !== undefined && 'files' in m) m = await sy.resolveFiles(m);
  if (m === undefined) return 'app';
  if ('return' in m)
    return `${m.return.status}${m.return.location !== undefined ? ` ${m.return.location}` : ''}${m.return.body !== undefined ? ` ${m.return.body}` : ''}`;
  if ('file' in m) return `file ${m.file.path} in ${m.file.root.slice(dir.length) || '/'}`;
  if (m.internal === true) return 'internal';
  if (m.redirect !== undefined) return `301 ${m.redirect}`;
  return `proxy ${m.upstream} ${m.path}`;
}

test('root serves files; a directory gets its slash; index is an internal redirect; no index is 403; missing is 404', async () => {
  const sy = make({ locations: { '/': { root: join(dir, 'public') }, '/api/': 'app' } });
  assert.equal(await ask(sy, '/assets/app.css'), 'file assets/app.css in /public');
  assert.equal(await ask(sy, '/assets?x=1'), '301 /assets/?x=1');
  assert.equal(await ask(sy, '/'), 'file index.html in /public');
  assert.equal(await ask(sy, '/assets/'), '403');
  assert.equal(await ask(sy, '/nope.css'), '404');
  assert.equal(await ask(sy, '/api/x?y=1'), 'proxy app /api/x?y=1');
  // Dot files are served, as nginx does (certbot's webroot).
  assert.equal(await ask(sy, '/.well-known/acme-challenge/token'), 'file .well-known/acme-challenge/token in /public');
  // The static module serves GET and HEAD.
  assert.equal(await ask(sy, '/assets/app.css', 'HEAD'), 'file assets/app.css in /public');
  assert.equal(await ask(sy, '/assets/app.css', 'POST'), '405');
});

test("methods as nginx's static module (recorded from nginx 1.22): POST is 405 on a file, 404 where none; PUT, DELETE, OPTIONS are 405 before any lookup", async () => {
  const sy = make({ locations: { '/': { root: join(dir, 'public') }, '/t/': { alias: `${join(dir, 'public')}/`, tryFiles: ['$uri', '=404'] } } });
  const table = (method: string): Promise<string[]> =>
    Promise.all(['/assets/app.css', '/missing', '/', '/assets', '/assets/', '/t/nope'].map((u) => ask(sy, u, method)));
  assert.deepEqual(await table('POST'), ['405', '404', '405', '301 /assets/', '403', '404']);
  for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH']) assert.deepEqual(await table(method), ['405', '405', '405', '405', '405', '404'], method);
});

test('index lists the names tried in order', async () => {
  const sy = make({ locations: { '/docs/': { root: join(dir, 'public'), index: ['index.html', 'index.htm'] } } });
  assert.equal(await ask(sy, '/docs/'), 'file docs/index.htm in /public');
});

test('alias: the classic /i + /data/ traversal never leaves the directory', async () => {
  const sy = make({ locations: { '/i': { alias: join(dir, 'data') + '/' }, '/': 'app' } });
  assert.equal(await ask(sy, '/i/x.txt'), 'file x.txt in /data');
  assert.equal(await ask(sy, '/i../secret.txt'), '404');
  assert.equal(await ask(sy, '/i..%2fsecret.txt'), '404');
  assert.equal(await ask(sy, '/i/../secret.txt'), 'proxy app /i/../secret.txt');
});

test('alias in a regex location takes its captures; an exact alias names one file', async () => {
  const sy = make({
    locations: {
      '~ ^/files/(.+)$': { alias: `${join(dir, 'data')}/$1` },
      '= /robots.txt': { alias: join(dir, 'secret.txt') },
    },
  });
  assert.equal(await ask(sy, '/files/x.txt'), 'file x.txt in /data');
  // A path climbing above the root is nginx's 400 (never handed to the app); conformance: files.ts.
  assert.equal(await ask(sy, '/files/..%2F..%2Fsecret.txt'), '400');
  assert.equal(await ask(sy, '/robots.txt'), 'file secret.txt in /');
});

test('try_files $uri @app: files first, then the named location proxies with the original URI', async () => {
  const sy = make({
    locations: {
      '/': { root: join(dir, 'public'), tryFiles: ['$uri', '@app'] },
      '@app': 'app',
    },
  });
  assert.equal(await ask(sy, '/assets/app.css'), 'file assets/app.css in /public');
  assert.equal(await ask(sy, '/users/1?x=%41'), 'proxy app /users/1?x=%41');
  // `$uri` tests a file even when the URI ends in `/` (nginx's test_dir comes from the configured
  // text, recorded with nginx 1.22): a directory goes on to the app.
  assert.equal(await ask(sy, '/assets/'), 'proxy app /assets/');
  assert.equal(await ask(sy, '/assets/app.css/'), 'proxy app /assets/app.css/');
});

test('try_files with $uri/ then =404; a URI fallback is looked up again', async () => {
  const sy = make({
    locations: {
      '/': { root: join(dir, 'public'), tryFiles: ['$uri', '$uri/', '/index.html'] },
      '/strict/': { root: join(dir, 'public'), tryFiles: ['$uri', '=404'] },
    },
  });
  // `$uri/` found the directory: the URI is `/docs`, which the static module redirects to `/docs/`
  // (nginx 1.22: 301 with the arguments); `/docs/` then goes to its index files (none here: 403).
  assert.equal(await ask(sy, '/docs?a=1'), '301 /docs/?a=1');
  assert.equal(await ask(sy, '/docs/'), '403');
  assert.equal(await ask(sy, '/'), 'file index.html in /public');
  assert.equal(await ask(sy, '/spa/route'), 'file index.html in /public');
  assert.equal(await ask(sy, '/strict/none'), '404');
});

test('rewrite last looks the location up again; break proxies the new URI; redirect and permanent answer', async () => {
  const sy = make({
    locations: {
      '/old/': { rewrite: [{ rewrite: '^/old/(.*)$', to: '/api/$1', flag: 'last' }] },
      '/api/': 'app',
      '/v1/': { upstream: 'app', rewrite: [{ rewrite: '^/v1/(.*)$', to: '/internal/$1?from=v1', flag: 'break' }] },
      '/moved/': { rewrite: [{ rewrite: '^/moved/(.*)$', to: '/new/$1', flag: 'permanent' }] },
      '/ext/': { rewrite: [{ rewrite: '^', to: 'https://example.org$request_uri?' }] },
    },
  });
  assert.equal(await ask(sy, '/old/a%20b?q=1'), 'proxy app /api/a%20b?q=1');
  assert.equal(await ask(sy, '/v1/x?q=1'), 'proxy app /internal/x?from=v1&q=1');
  assert.equal(await ask(sy, '/moved/x?q=1'), '301 /new/x?q=1');
  assert.equal(await ask(sy, '/ext/p?q=1'), '302 https://example.org/ext/p?q=1');
});

test("a rewrite cycle ends at nginx's bound with 500", async () => {
  const sy = make({ locations: { '/': { rewrite: [{ rewrite: '^(.*)$', to: '$1', flag: 'last' }] } } });
  assert.equal(await ask(sy, '/loop'), '500');
});

test('server-level if: the common redirect forms; return in a location', async () => {
  const sy = make({
    servers: [
      {
        names: ['example.test', 'www.example.test'],
        rewrite: [
          { if: '$host = www.example.test', then: [{ return: { status: 301, url: 'https://example.test$request_uri' } }] },
          { if: '$http_x_forwarded_proto != https', then: [{ return: { status: 301, url: 'https://$host$request_uri' } }] },
        ],
        locations: { '/': 'app', '= /health': { return: { status: 200, body: 'ok $remote_addr' } } },
      },
    ],
  });
  assert.equal(await ask(sy, '/a?b=1', 'GET', { host: 'www.example.test' }), '301 https://example.test/a?b=1');
  assert.equal(await ask(sy, '/a', 'GET', { host: 'example.test' }), '301 https://example.test/a');
  assert.equal(await ask(sy, '/a', 'GET', { host: 'example.test', 'x-forwarded-proto': 'https' }), 'proxy app /a');
  assert.equal(await ask(sy, '/health', 'GET', { host: 'example.test', 'x-forwarded-proto': 'https' }), '200 ok 127.0.0.1');
});

test('if -f $request_filename (Jenkins userContent): served when present, rewritten when not', async () => {
  const sy = make({
    locations: {
      '/': 'app',
      '/assets': {
        root: join(dir, 'public'),
        rewrite: [{ if: '!-f $request_filename', then: [{ rewrite: '(.*)', to: '/app$1', flag: 'last' }] }],
      },
    },
  });
  assert.equal(await ask(sy, '/assets/app.css'), 'file assets/app.css in /public');
  assert.equal(await ask(sy, '/assets/none.css'), 'proxy app /app/assets/none.css');
});

test('internal locations: not for clients, reachable after a rewrite', async () => {
  const sy = make({
    locations: {
      '/protected/': { alias: join(dir, 'data') + '/', internal: true },
      '/get/': { rewrite: [{ rewrite: '^/get/(.*)$', to: '/protected/$1', flag: 'last' }] },
    },
  });
  assert.equal(await ask(sy, '/protected/x.txt'), 'internal');
  assert.equal(await ask(sy, '/get/x.txt'), 'file x.txt in /data');
});

test('configuration errors name the field', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ '/': {} }, /locations\["\/"\]\.upstream is required unless the location answers itself/],
    [{ '/': { root: '/x', alias: '/y' } }, /locations\["\/"\]\.alias cannot be given beside root/],
    [{ '/': { tryFiles: ['$uri', '@app'] } }, /locations\["\/"\]\.root is required with tryFiles/],
    [{ '/': { root: '/x', tryFiles: ['$uri', '@nope'] } }, /locations\["\/"\]\.tryFiles ends with @nope, which is no named location/],
    [{ '/': { root: '/x', tryFiles: ['$uri'] } }, /tryFiles must list at least one file and the fallback/],
    [{ '/': { upstream: 'app', tryFiles: ['$uri', '@a'], root: '/x' } }, /tryFiles cannot be used beside upstream/],
    [{ '/': { rewrite: [{ rewrite: '(', to: '/' }] } }, /rewrite\[0\]\.rewrite is not a valid regular expression/],
    [{ '/': { rewrite: [{ rewrite: '^', to: '/$nope' }] } }, /rewrite\[0\]\.to unknown variable "\$nope"/],
    [{ '/': { rewrite: [{ if: '-x $uri', then: [] }] } }, /rewrite\[0\]\.if "-x \$uri": only the file tests/],
    [{ '/': { rewrite: [{ if: '$uri', then: [{ if: '$uri', then: [] }] }] } }, /rewrite\[0\]\.then\[0\]\.if is inside another "if"/],
    [{ '/': { root: '/x', headers: { a: 'b' } } }, /locations\["\/"\]\.headers only applies to a location that proxies/],
    [{ '/': { return: { status: 301 } } }, /return\.url is required with status 301/],
    [{ '/': { return: { status: 301, url: '/a\r\nSet-Cookie: x=1' } } }, /locations\["\/"\]\.return\.url must not contain CR, LF or NUL/],
    [{ '/': { rewrite: [{ rewrite: '^', to: '/a\nb' }] } }, /rewrite\[0\]\.to must not contain CR, LF or NUL/],
  ];
  for (const [locations, message] of cases) {
    assert.throws(() => createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, locations } as SwitchyardOptions), message);
  }
});

test('a return text may hold line breaks (nginx\'s `return 200 "ok\\n"`), in a location as in a server', async () => {
  const sy = make({
    locations: {
      '= /healthz': { return: { status: 200, body: 'ok\n' } },
      '/': { rewrite: [{ if: '$http_x_debug', then: [{ return: { status: 403, body: 'no\r\n$uri\n' } }] }], return: { status: 204 } },
    },
  });
  assert.equal(await ask(sy, '/healthz'), '200 ok\n');
  assert.equal(await ask(sy, '/x', 'GET', { 'x-debug': '1' }), '403 no\r\n/x\n');
});

test('set variables are usable in later steps', async () => {
  const sy = make({
    locations: {
      '/': {
        rewrite: [
          { set: 'target', value: '/api$uri' },
          { rewrite: '^', to: '$target', flag: 'last' },
        ],
      },
      '/api/': 'app',
    },
  });
  assert.equal(await ask(sy, '/x'), 'proxy app /api/x');
});

test('a site of files and returns needs no upstream; with nothing to do an empty upstreams is still an error', async () => {
  const sy = createSwitchyard({ upstreams: {}, locations: { '/': { root: join(dir, 'public') }, '= /ping': { return: { status: 200, body: 'pong\n' } } } });
  made.push(sy);
  assert.equal(await ask(sy, '/assets/app.css'), 'file assets/app.css in /public');
  assert.equal(await ask(sy, '/ping'), '200 pong\n');
  assert.throws(() => createSwitchyard({ upstreams: {} }), /upstreams must define at least one upstream \(or give locations that answer themselves/);
});

test('a return text may hold line breaks (nginx\'s "ok\\n"); a Location may not', () => {
  const sy = make({
    locations: { '= /a': { return: { status: 200, body: 'ok\n' } }, '/b': { rewrite: [{ if: '$arg_x', then: [{ return: { status: 200, body: 'x\r\n' } }] }] } },
  });
  assert.ok(sy);
  assert.throws(() => make({ locations: { '= /a': { return: { status: 302, url: '/x\n' } } } }), /return\.url must not contain CR, LF or NUL/);
});

test('methods other than GET, HEAD and POST are 405 on a static location before any lookup (nginx static module)', async () => {
  const sy = make({ locations: { '/': { root: join(dir, 'public') } } });
  assert.equal(await ask(sy, '/missing.html', 'PUT'), '405');
  assert.equal(await ask(sy, '/assets/', 'DELETE'), '405');
  // POST is looked up first: a missing file is 404, a directory without an index 403, a file 405.
  assert.equal(await ask(sy, '/missing.html', 'POST'), '404');
  assert.equal(await ask(sy, '/assets/', 'POST'), '403');
  assert.equal(await ask(sy, '/assets/app.css', 'POST'), '405');
});

test('named captures of a regex location, a rewrite and an if are variables', async () => {
  const sy = make({
    locations: {
      '~ ^/named/(?<rest>.+)$': { alias: `${join(dir, 'public')}/$rest` },
      '/r/': { rewrite: [{ rewrite: '^/r/(?<word>[a-z]+)$', to: '/api/$word', flag: 'last' }] },
      '/i/': { rewrite: [{ if: '$uri ~ ^/i/(?<id>\\d+)', then: [{ return: { status: 200, body: 'id $id' } }] }] },
      '/api/': 'app',
    },
  });
  assert.equal(await ask(sy, '/named/assets/app.css'), 'file assets/app.css in /public');
  assert.equal(await ask(sy, '/r/word'), 'proxy app /api/word');
  assert.equal(await ask(sy, '/i/42'), '200 id 42');
});
