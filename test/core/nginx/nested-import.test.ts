/** @module The import of nested locations, internal, named locations, proxy_ignore_headers X-Accel-Redirect and the redirect directives: the options written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';
import { resolveConfig } from '../../../packages/core/src/config/index.js';

const POOL = 'upstream app { server a:1; }\n';

/** Every imported location carries `headerDefaults: 'nginx'` (docs/nginx-headers.md); these tests are about the rest. */
function routing(locations: unknown): unknown {
  return JSON.parse(JSON.stringify(locations, (key, value: unknown) => (key === 'headerDefaults' ? undefined : value))) as unknown;
}

test('nested locations inherit what they do not set (proxy_set_header as a whole list), proxy_pass excepted', () => {
  const { options, warnings } = parseNginxConfig(`${POOL}server {
  proxy_read_timeout 5s;
  location /a/ {
    proxy_connect_timeout 2s;
    proxy_set_header X-A 1;
    proxy_pass http://app;
    location /a/b/ { proxy_pass http://app/v2/; }
    location /a/h/ { proxy_set_header X-H 2; proxy_pass http://app; }
    location /a/static/ { root /srv; }
  }
}`);
  assert.deepEqual(routing(options.locations), {
    '/a/': {
      upstream: 'app',
      headers: { 'X-A': '1' },
      timeouts: { connect: '2s', read: '5s' },
      locations: {
        '/a/b/': { upstream: 'app', rewritePrefix: '/v2/', headers: { 'X-A': '1' }, timeouts: { connect: '2s', read: '5s' } },
        '/a/h/': { upstream: 'app', headers: { 'X-H': '2' }, timeouts: { connect: '2s', read: '5s' } },
        // A nested location that serves files inherits no proxy_pass (nginx): it answers itself.
        '/a/static/': { root: '/srv' },
      },
    },
  });
  assert.deepEqual(warnings, []);
  assert.equal(resolveConfig(options).locations[0]!.locations!.length, 3);
});

test('internal, named locations, proxy_ignore_headers X-Accel-Redirect and nginx defaults for redirects', () => {
  const { options, warnings } = parseNginxConfig(`${POOL}server {
  server_name www.example.com example.com;
  location /files/ { internal; proxy_pass http://app; location /files/x/ { proxy_pass http://app; } }
  location @fallback { proxy_pass http://app; }
  location /raw/ { proxy_ignore_headers X-Accel-Redirect X-Accel-Expires; proxy_pass http://app; }
  location /rel/ { absolute_redirect off; proxy_pass http://app; }
  location /np/ { port_in_redirect off; proxy_pass http://app; }
  location /sn/ { server_name_in_redirect on; proxy_pass http://app; }
}`);
  assert.deepEqual(routing(options.locations), {
    '/files/': { upstream: 'app', internal: true, locations: { '/files/x/': { upstream: 'app', internal: true } } },
    '@fallback': { upstream: 'app' },
    '/raw/': { upstream: 'app', accelRedirect: false },
    '/rel/': { upstream: 'app', absoluteRedirect: false },
    '/np/': { upstream: 'app', absoluteRedirect: { port: false } },
    '/sn/': { upstream: 'app', absoluteRedirect: { serverName: 'www.example.com' } },
  });
  assert.equal(options.accelRedirect, true);
  assert.equal(options.absoluteRedirect, true);
  // server_name is read now (virtual hosts, docs/nginx-sites.md): no warning for it.
  assert.deepEqual(warnings, ['line 6: "proxy_ignore_headers X-Accel-Expires" ignored (switchyard does not interpret that header)']);
  const config = resolveConfig(options);
  assert.deepEqual(
    config.locations.map((l) => [l.key, l.kind, l.internal, l.accelRedirect]),
    [
      ['/files/', 'prefix', true, true],
      ['@fallback', 'named', true, true],
      ['/raw/', 'prefix', false, false],
      ['/rel/', 'prefix', false, true],
      ['/np/', 'prefix', false, true],
      ['/sn/', 'prefix', false, true],
    ],
  );
});

test('redirect directives are inherited from http and server level and checked as nginx checks them', () => {
  const { options } = parseNginxConfig(
    `${POOL}http { absolute_redirect off; server { location /a/ { proxy_pass http://app; } location /b/ { absolute_redirect on; proxy_pass http://app; } } }`,
  );
  assert.deepEqual(routing(options.locations), { '/a/': { upstream: 'app', absoluteRedirect: false }, '/b/': { upstream: 'app' } });
  assert.throws(
    () => parseNginxConfig(`${POOL}location / { absolute_redirect maybe; proxy_pass http://app; }`),
    /invalid value "maybe" in "absolute_redirect" directive/,
  );
  assert.throws(() => parseNginxConfig(`${POOL}location / { internal on; proxy_pass http://app; }`), /invalid number of arguments in "internal" directive/);
});
