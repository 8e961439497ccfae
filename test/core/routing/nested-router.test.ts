/** @module The router with nested and internal locations written in JS: ngx_http_core_find_location's order, level by level. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocationOptions, RouteMatch } from '../../../packages/core/src/types.js';
import { resolveConfig } from '../../../packages/core/src/config/resolve-config.js';
import { createRouter } from '../../../packages/core/src/routing/router.js';

function router(locations: Record<string, LocationOptions | string>) {
  return createRouter(resolveConfig({ upstreams: { u: ['http://127.0.0.1:1'] }, locations }).locations);
}

function show(m: RouteMatch | undefined): string {
  if (m === undefined) return '-';
  if (m.redirect !== undefined) return `301 ${m.redirect}`;
  if (m.internal === true) return `404 ${m.location.key}`;
  return `${m.location.key} -> ${m.path}`;
}

test('a nested prefix is searched inside its parent; an outer regex still beats it, a nested regex beats the outer ones', () => {
  const r = router({
    '/a/': { upstream: 'u', locations: { '/a/b/': { upstream: 'u', rewritePrefix: '/B/' }, '~ \\.js$': 'u', '= /a/x': 'u', '^~ /a/p/': 'u' } },
    '~ \\.(js|css)$': 'u',
    '/a/b/c/': 'u',
  });
  const table = ['/a/z', '/a/b/z', '/a/b/z.js', '/a/z.css', '/a/b/z.css', '/a/x', '/a/p/z.css', '/a/b/c/z', '/a/b', '/q.js', '/nope'];
  assert.deepEqual(
    table.map((p) => `${p}: ${show(r.match('GET', p))}`),
    [
      '/a/z: /a/ -> /a/z',
      '/a/b/z: /a/b/ -> /B/z',
      '/a/b/z.js: ~ \\.js$ -> /a/b/z.js',
      '/a/z.css: ~ \\.(js|css)$ -> /a/z.css',
      '/a/b/z.css: ~ \\.(js|css)$ -> /a/b/z.css',
      '/a/x: = /a/x -> /a/x',
      // `^~` nested in /a/ stops /a/'s nested regexes only: /a/ is not `^~`, so the outer regexes still run.
      '/a/p/z.css: ~ \\.(js|css)$ -> /a/p/z.css',
      // A longer prefix at the outer level wins over /a/ and everything nested in it.
      '/a/b/c/z: /a/b/c/ -> /a/b/c/z',
      '/a/b: 301 /a/b/',
      '/q.js: ~ \\.(js|css)$ -> /q.js',
      '/nope: -',
    ],
  );
});

test('a regex location searches its own nested locations; ^~ at the outer level stops the outer regexes, not the nested ones', () => {
  const r = router({
    '~ ^/r/': { upstream: 'u', locations: { '~ \\.php$': 'u' } },
    '^~ /s/': { upstream: 'u', locations: { '~ \\.php$': 'u' } },
    '~ \\.(php|txt)$': 'u',
  });
  assert.equal(r.match('GET', '/r/x.php')?.location.key, '~ \\.php$');
  assert.equal(r.match('GET', '/r/x.txt')?.location.key, '~ ^/r/');
  assert.equal(r.match('GET', '/s/x.php')?.location.key, '~ \\.php$');
  assert.equal(r.match('GET', '/s/x.txt')?.location.key, '^~ /s/');
});

test('internal: a client match answers 404 whichever level it is on, and locations inside an internal one are internal', () => {
  const r = router({
    '/pub/': { upstream: 'u', locations: { '/pub/priv/': { upstream: 'u', internal: true } } },
    '/int/': { upstream: 'u', internal: true, locations: { '/int/deep/': 'u', '/int/open/': { upstream: 'u', internal: false } } },
    '~ \\.png$': 'u',
    '@named': 'u',
  });
  assert.deepEqual(
    ['/pub/x', '/pub/priv/x', '/pub/priv', '/int/x', '/int/deep/x', '/int/open/x', '/int/x.png', '/int', '/@named'].map(
      (p) => `${p}: ${show(r.match('GET', p))}`,
    ),
    [
      '/pub/x: /pub/ -> /pub/x',
      '/pub/priv/x: 404 /pub/priv/',
      '/pub/priv: 404 /pub/priv/',
      '/int/x: 404 /int/',
      '/int/deep/x: 404 /int/deep/',
      '/int/open/x: /int/open/ -> /int/open/x',
      // nginx checks `internal` on the location its search ended on: here the public regex.
      '/int/x.png: ~ \\.png$ -> /int/x.png',
      '/int: 404 /int/',
      '/@named: -',
    ],
  );
  // An internal redirect reaches them.
  assert.equal(show(r.matchInternal('/int/deep/x', '/int/deep/x', '?a=1')), '/int/deep/ -> /int/deep/x?a=1');
  assert.equal(r.named('@named')?.key, '@named');
});
