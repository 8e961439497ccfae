/** @module Nested, internal and regex locations and the slash redirect: the same config through real nginx and through the import + router, path by path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';
import { createSwitchyard } from '../../../packages/core/src/switchyard.js';
import { redirectLocation } from '../../../packages/core/src/routing/index.js';
import { startNginxSite as startNginx } from '../../helpers/real-nginx.js';

const HOST = 'Sites.Example:8443';

/** Location keys by number: every location tells nginx's upstream its number (X-Loc; a `$` would read as a variable), and keys are unique. */
const KEYS: string[] = [];

/** The test's server block; each answer of nginx's upstream names the location nginx chose. */
function site(listen: string, backend: string): string {
  KEYS.length = 0;
  const loc = (key: string, inner = '', extra = ''): string => {
    KEYS.push(key);
    return `location ${key} { ${extra} proxy_set_header X-Loc "${KEYS.length - 1}"; proxy_pass ${backend}; ${inner} }`;
  };
  return `server {
  listen ${listen};
  ${loc(
    '/a/',
    [
      loc('/a/b/'),
      loc('~ \\.js$'),
      loc('= /a/exact'),
      loc('^~ /a/pri/'),
      loc('/a/int/', '', 'internal;'),
      loc('/a/h/', loc('~ \\.css$')),
      loc('/a/rel/', '', 'absolute_redirect off;'),
    ].join('\n'),
  )}
  ${loc('~ \\.(js|php)$', loc('~ ^/r/.*\\.php$'))}
  ${loc('^~ /p/', loc('~ (\\.js)$'))}
  ${loc('~ ^/r/')}
  ${loc('/int/', loc('/int/pub/'), 'internal;')}
  ${loc('= /x/')}
  ${loc('/noport/', '', 'port_in_redirect off;')}
}`;
}

const PATHS = [
  '/a/x',
  '/a/b/x',
  '/a/x.js',
  '/a/b/x.js',
  '/a/exact',
  '/a/exact/',
  '/a/pri/x',
  '/a/pri/x.js',
  '/a/int/x',
  '/a/int/x.js',
  '/a/h/x',
  '/a/h/x.css',
  '/a/h/x.js',
  '/a/h/x.php',
  '/p/x',
  '/p/x.js',
  '/p/x.php',
  '/r/x',
  '/r/x.js',
  '/r/x.php',
  '/int/x',
  '/int/pub/x',
  '/int/pub/x.php',
  '/x/',
  '/y.php',
  '/nowhere',
  '/a',
  '/a/b?k=1&v',
  '/a/h',
  '/a/rel',
  '/a/int',
  '/p?z=1',
  '/int/pub',
  '/x',
  '/noport',
];

function ask(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: HOST }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(`200 ${KEYS[Number(body)] ?? body}`);
        else if (res.statusCode === 301) resolve(`301 ${res.headers.location ?? ''}`);
        else resolve(String(res.statusCode));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('nested, internal and regex locations and the slash redirect choose what nginx chooses', async (t) => {
  const backend: Server = createServer((req, res) => res.end(String(req.headers['x-loc'])));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => backend.close(() => resolve())));
  const upstream = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const nginx = await startNginx((listen) => site(listen, upstream));
  t.after(() => nginx.stop());

  const sy = createSwitchyard(parseNginxConfig(site(`127.0.0.1:${nginx.port}`, upstream)));
  t.after(() => sy.close());
  const ours = (path: string): string => {
    const m = sy.match('GET', path);
    if (m === undefined || m.internal === true) return '404';
    if (m.redirect !== undefined) {
      return `301 ${redirectLocation(m, { host: HOST, localAddress: '127.0.0.1', localPort: nginx.port, encrypted: false })}`;
    }
    return `200 ${m.location.key}`;
  };

  const theirs: string[] = [];
  for (const path of PATHS) theirs.push(`${path} ${await ask(nginx.port, path)}`);
  assert.deepEqual(
    PATHS.map((path) => `${path} ${ours(path)}`),
    theirs,
  );
  // The table is not trivial: every kind of answer is in it.
  for (const kind of ['200 ~ \\.css$', '200 ~ \\.(js|php)$', '404', `301 http://sites.example:${nginx.port}/a/b/?k=1&v`, '301 /a/rel/']) {
    assert.ok(
      theirs.some((line) => line.endsWith(kind)),
      kind,
    );
  }
});
