/** @module proxy_redirect: upstream Location/Refresh rewritten as nginx does, from the JS option and from an imported config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, parseNginxConfig, rewriteRedirectHeaders, type Location, type SwitchyardOptions } from '@switchyard/core';

const REQUEST = { host: 'Shop.Example:8080', encrypted: false, localAddress: '127.0.0.1', localPort: 8080 };

function locationOf(options: SwitchyardOptions, path: string): Location {
  const route = createSwitchyard(options).match('GET', path);
  assert.ok(route !== undefined && route.redirect === undefined && route.internal === undefined);
  return route.location;
}

test("'default' turns the proxy_pass URL into the location prefix; a rewritten relative Location is absolute only with absoluteRedirect", () => {
  const upstreams = { u: ['http://127.0.0.1:1'] };
  const rel = locationOf({ upstreams, locations: { '/api/': { upstream: 'u', rewritePrefix: '/v1/', redirect: 'default' } } }, '/api/x');
  assert.deepEqual(rel.redirects, [{ from: 'http://u/v1/', to: '/api/' }]);
  const headers: Record<string, string> = { location: 'http://u/v1/new?a=1', refresh: '5; URL=http://u/v1/later' };
  rewriteRedirectHeaders(headers, rel, REQUEST);
  assert.deepEqual(headers, { location: '/api/new?a=1', refresh: '5; URL=/api/later' });

  const abs = locationOf(
    { upstreams, absoluteRedirect: true, redirect: 'default', locations: { '/api/': { upstream: 'u', rewritePrefix: '/v1/' } } },
    '/api/x',
  );
  const h2: Record<string, string> = { location: 'http://u/v1/new' };
  rewriteRedirectHeaders(h2, abs, REQUEST);
  assert.equal(h2.location, 'http://shop.example:8080/api/new');
  // A Location no rule matches is left as it is, relative ones too (nginx makes only rewritten ones absolute).
  for (const untouched of ['http://elsewhere/v1/x', '/v1/x', 'http://u/v2/x']) {
    const h: Record<string, string> = { location: untouched };
    rewriteRedirectHeaders(h, abs, REQUEST);
    assert.equal(h.location, untouched);
  }
});

test("without a rewritePrefix 'default' maps URL/ to /; an https pool gives https://; rules apply in order, the first match only", () => {
  const plain = locationOf({ upstreams: { u: ['https://127.0.0.1:1'] }, locations: { '/': { upstream: 'u', redirect: 'default' } } }, '/x');
  assert.deepEqual(plain.redirects, [{ from: 'https://u/', to: '/' }]);
  const rules = locationOf(
    {
      upstreams: { u: ['http://127.0.0.1:1'] },
      locations: {
        '/': {
          upstream: 'u',
          redirect: [
            { from: 'http://a/', to: 'https://b/' },
            { from: 'https://b/', to: 'http://c/' },
          ],
        },
      },
    },
    '/x',
  );
  const h: Record<string, string> = { location: 'http://a/p' };
  rewriteRedirectHeaders(h, rules, REQUEST);
  assert.equal(h.location, 'https://b/p');
});

test('JS configs rewrite nothing by default; bad values are refused by their path', () => {
  assert.equal(locationOf({ upstreams: { u: ['http://127.0.0.1:1'] }, locations: { '/': 'u' } }, '/').redirects, undefined);
  const bad = (redirect: unknown): void => {
    createSwitchyard({ upstreams: { u: ['http://127.0.0.1:1'] }, locations: { '/': { upstream: 'u', redirect } as never } });
  };
  assert.throws(() => bad('on'), /locations\["\/"\]\.redirect must be 'default', false or an array/);
  assert.throws(() => bad([{ from: '', to: '/' }]), /redirect\[0\]\.from must be a non-empty string/);
  assert.throws(() => bad([{ from: 'http://a/', to: '/\r\nSet-Cookie: x' }]), /redirect\[0\]\.to must be a string without control characters/);
  assert.throws(() => bad([{ from: 'http://a/', too: '/' }]), /redirect\[0\]/);
  assert.throws(() => createSwitchyard({ upstreams: { u: ['http://127.0.0.1:1'] }, redirect: [] as never }), /^.*redirect must be 'default' or false/);
});

test('the import: default on, off, literal pairs with default spelt out, variables and regexes warned', () => {
  const site = (body: string): string => `upstream u { server 127.0.0.1:1; }\nserver {\n${body}\n}`;
  const imported = parseNginxConfig(site('location /api/ { proxy_pass http://u/v1/; }'));
  assert.equal(imported.options.redirect, 'default');
  assert.equal(
    imported.options.locations?.['/api/'] !== undefined && typeof imported.options.locations['/api/'] === 'object'
      ? imported.options.locations['/api/'].redirect
      : 'none',
    undefined,
  );
  const sy = createSwitchyard(imported.options);
  const route = sy.match('GET', '/api/x');
  assert.ok(route !== undefined && route.redirect === undefined && route.internal === undefined);
  assert.deepEqual(route.location.redirects, [{ from: 'http://u/v1/', to: '/api/' }]);

  const off = parseNginxConfig(site('proxy_redirect off;\nlocation / { proxy_pass http://u; }'));
  assert.deepEqual(off.options.locations?.['/'], { upstream: 'u', headerDefaults: 'nginx', redirect: false });
  const pairs = parseNginxConfig(
    site(
      'location /app/ { proxy_pass http://10.0.0.5:8080/; proxy_redirect default; proxy_redirect http://old/ /app/old/; proxy_redirect ~^http://x(.*) $1; proxy_redirect http://$host/ /; }',
    ),
  );
  assert.deepEqual(pairs.options.locations?.['/app/'], {
    upstream: '10.0.0.5:8080',
    rewritePrefix: '/',
    headerDefaults: 'nginx',
    redirect: [
      { from: 'http://10.0.0.5:8080/', to: '/app/' },
      { from: 'http://old/', to: '/app/old/' },
    ],
  });
  assert.deepEqual(
    pairs.warnings.filter((w) => w.includes('proxy_redirect')),
    [
      'line 3: "proxy_redirect ~^http://x(.*) $1" ignored (switchyard rewrites literal prefixes only, no variables or regexes)',
      'line 3: "proxy_redirect http://$host/ /" ignored (switchyard rewrites literal prefixes only, no variables or regexes)',
    ],
  );
  assert.throws(() => parseNginxConfig(site('location / { proxy_pass http://u; proxy_redirect a b c; }')), /invalid number of arguments in "proxy_redirect"/);
});
