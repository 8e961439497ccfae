/** @module Import warnings by consequence: each directive's kind (harmless / changes), strict mode refusing the second kind at its line, and upstreams that no location reaches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, NginxParseError, parseNginxConfig, toSwitchyardOptions } from '@switchyard/core';

const site = (inServer: string, top = ''): string =>
  `${top}upstream app { server 127.0.0.1:8080; }\nserver {\n  ${inServer}\n  location / { proxy_pass http://app; }\n}\n`;

/** The notes of one directive written inside the server block (line 3). */
function notesOf(inServer: string, top = ''): Array<{ kind: string; text: string }> {
  const { notes, warnings } = parseNginxConfig(site(inServer, top));
  assert.equal(notes?.length, warnings.length);
  return (notes ?? []).map((n) => ({ kind: n.kind, text: n.text }));
}

const KINDS: Array<[string, 'harmless' | 'changes', RegExp]> = [
  ['sendfile on;', 'harmless', /nginx's own I\/O/],
  ['tcp_nopush on;', 'harmless', /nginx's own I\/O/],
  ['server_tokens off;', 'harmless', /sends no nginx version/],
  ['error_log /var/log/nginx/error.log;', 'harmless', /framework's logger/],
  ['proxy_http_version 1.1;', 'harmless', /always speaks HTTP\/1\.1/],
  ['proxy_http_version 1.0;', 'changes', /always speaks HTTP\/1\.1/],
  ['proxy_buffering off;', 'harmless', /streams responses already: it never buffers a response body/],
  ['proxy_buffers 8 16k;', 'harmless', /streams responses already/],
  ['proxy_set_header Connection "";', 'harmless', /keeps upstream connections alive itself/],
  ['proxy_set_header Upgrade $http_upgrade;', 'harmless', /WebSocket upgrades itself/],
  ['access_log /var/log/nginx/access.log;', 'harmless', /app's logger/],
  ['limit_rate 100k;', 'changes', /does not slow down responses/],
  ['limit_req_log_level warn;', 'harmless', /error log level/],
  ['auth_request /auth;', 'changes', /access rules/],
  ['gzip on;', 'changes', /@fastify\/compress \(Fastify\) or compression \(Express\)/],
  ['gzip_types text/css;', 'changes', /does not compress/],
  ['some_unknown_module_directive on;', 'changes', /not about load balancing/],
  ['gzip off;', 'harmless', /does not compress responses either/],
  ['keepalive_timeout 65;', 'harmless', /client connection timeouts are the Node server's/],
  ['proxy_request_buffering off;', 'harmless', /streams request bodies to the upstream as they arrive/],
  ['proxy_request_buffering on;', 'changes', /streams request bodies/],
  ['proxy_cache my_cache;', 'changes', /no cache: every request reaches the upstream/],
  ['ssl_protocols TLSv1.2;', 'changes', /TLS is terminated by the Node server/],
];

for (const [directive, kind, text] of KINDS) {
  test(`"${directive}" is a ${kind} note`, () => {
    const notes = notesOf(directive);
    assert.equal(notes.length, 1, JSON.stringify(notes));
    assert.equal(notes[0]!.kind, kind);
    assert.match(notes[0]!.text, text);
  });
}

test('nginx process directives at the top of the file are harmless', () => {
  const { notes } = parseNginxConfig(
    'user www-data;\nworker_processes auto;\npid /run/nginx.pid;\nevents { worker_connections 768; }\nhttp {\n  upstream app { server 127.0.0.1:8080; }\n  server { location / { proxy_pass http://app; } }\n}\n',
  );
  assert.deepEqual(
    notes?.map((n) => [n.line, n.kind]),
    [
      [1, 'harmless'],
      [2, 'harmless'],
      [3, 'harmless'],
      [4, 'harmless'],
    ],
  );
});

test('root, alias and index in a proxied location say nothing (nginx reads no file there); try_files there is refused', () => {
  const proxied =
    'upstream app { server 127.0.0.1:8080; }\nserver {\n  location / {\n    root /srv;\n    index index.html;\n    PLACE    proxy_pass http://app;\n  }\n}\n';
  const { options, notes } = parseNginxConfig(proxied.replace('PLACE', ''));
  assert.deepEqual(notes, []);
  assert.deepEqual(options.locations, { '/': { upstream: 'app', headerDefaults: 'nginx' } });
  assert.throws(
    () => parseNginxConfig(proxied.replace('PLACE', 'try_files $uri $uri/ =404;\n')),
    (err: unknown) => err instanceof NginxParseError && err.line === 3 && /"try_files" in proxied "location \/" is not supported/.test(err.message),
  );
});

test('limit_except in a proxied location changes what reaches the app', () => {
  const { notes } = parseNginxConfig(
    'upstream app { server 127.0.0.1:8080; }\nserver {\n  location / {\n    limit_except GET { deny all; }\n    proxy_pass http://app;\n  }\n}\n',
  );
  assert.deepEqual(
    notes?.map((n) => [n.line, n.kind]),
    [[4, 'changes']],
  );
  assert.match(notes[0]!.text, /^"limit_except" ignored \(not imported: .*every request reaches the app/);
});

test('a location with a root is served; one without a root or an answer says where its requests go', () => {
  const served = parseNginxConfig(site('location /static/ { root /srv; }'));
  assert.deepEqual(served.notes, []);
  assert.deepEqual(served.options.locations?.['/static/'], { root: '/srv' });
  const { notes } = parseNginxConfig(site('location /static/ { try_files $uri =404; }'));
  assert.equal(notes?.length, 1);
  assert.equal(notes[0]!.kind, 'changes');
  assert.equal(notes[0]!.line, 3);
  assert.match(notes[0]!.text, /^location \/static\/ serves files but has no root or alias: nginx would serve files from its default root/);
  assert.match(notes[0]!.text, /matched by the other locations/);
});

test('a server root with no "location /" says that unmatched requests reach the app; "location / { }" serves them from the root', () => {
  const text = (extra: string): string =>
    `upstream app { server 127.0.0.1:8080; }\nserver {\n  root /srv/www;\n  location /api/ { proxy_pass http://app; }\n${extra}}\n`;
  const { notes } = parseNginxConfig(text(''));
  assert.deepEqual(
    notes?.map((n) => [n.line, n.kind]),
    [[3, 'changes']],
  );
  assert.match(notes[0]!.text, /nginx would serve it from root \/srv\/www: add "location \/ \{ \}"/);
  const fixed = parseNginxConfig(text('  location / { }\n'));
  assert.deepEqual(fixed.notes, []);
  assert.deepEqual(fixed.options.locations?.['/'], { root: '/srv/www' });
});

test('the warning of a location left out is true: its paths are matched by "location /", and reach the app when no location matches', (t) => {
  const left = createSwitchyard(parseNginxConfig(site('location /static/ { index i.html; }')));
  t.after(() => left.close());
  const caught = left.match('GET', '/static/app.css');
  assert.ok(caught !== undefined && 'upstream' in caught);
  assert.equal(caught.location.key, '/');
  assert.equal(caught.upstream, 'app');
  const noRoot = createSwitchyard(
    parseNginxConfig('upstream app { server 127.0.0.1:8080; }\nserver {\n  location /static/ { }\n  location /api/ { proxy_pass http://app; }\n}\n'),
  );
  t.after(() => noRoot.close());
  assert.equal(noRoot.match('GET', '/static/app.css'), undefined, 'no route: the app answers');
  assert.equal(noRoot.matchSite('GET', '/static/app.css', 'x.test', 'http'), undefined);
});

test('strict: true refuses the first note that changes what reaches the app, at its line; harmless ones stay warnings', () => {
  const harmless = parseNginxConfig(site('sendfile on;\n  proxy_http_version 1.1;', 'worker_processes 2;\n'), { strict: true });
  assert.equal(harmless.warnings.length, 3);
  assert.ok(harmless.notes?.every((n) => n.kind === 'harmless'));

  const text = site('sendfile on;\n  auth_request /auth;\n  gzip on;');
  assert.equal(parseNginxConfig(text).warnings.length, 3, 'not strict: warnings only');
  assert.throws(
    () => parseNginxConfig(text, { strict: true }),
    (err: unknown) => {
      assert.ok(err instanceof NginxParseError);
      assert.equal(err.line, 4);
      assert.match(err.message, /"auth_request" ignored \(not imported: .*check access in the app.*strict: true refuses/);
      return true;
    },
  );
  // A location left out is refused too (its paths would reach the app through "location /").
  assert.throws(
    () => parseNginxConfig(site('location /static/ { }'), { strict: true }),
    (err: unknown) => err instanceof NginxParseError && err.line === 3 && /location \/static\/ neither proxies nor answers itself/.test(err.message),
  );
});

test('{ nginx, strict: true } is strict too; strict must be a boolean', () => {
  const text = site('gzip on;');
  assert.equal(toSwitchyardOptions({ nginx: text }).warnings.length, 1);
  assert.equal(toSwitchyardOptions({ nginx: text, strict: false }).warnings.length, 1);
  assert.throws(
    () => toSwitchyardOptions({ nginx: text, strict: true }),
    (err: unknown) => err instanceof NginxParseError && err.line === 3,
  );
  const opts = toSwitchyardOptions({ nginx: site('sendfile on;'), strict: true });
  assert.equal('strict' in opts.options, false, 'strict is not laid over the options');
  assert.deepEqual(
    opts.notes.map((n) => n.kind),
    ['harmless'],
  );
  assert.throws(() => toSwitchyardOptions({ nginx: text, strict: 'yes' } as unknown as { nginx: string }), /strict must be true or false, got string/);
});

test('notes carry the file of an included one', () => {
  const { notes, warnings } = parseNginxConfig(
    'upstream app { server 127.0.0.1:8080; }\nserver {\n  include extra.conf;\n  location / { proxy_pass http://app; }\n}\n',
    {
      files: { 'extra.conf': '\nauth_request /auth;\n' },
    },
  );
  assert.deepEqual(
    notes?.map((n) => [n.file, n.line, n.kind]),
    [['extra.conf', 2, 'changes']],
  );
  assert.match(warnings[0]!, /^extra\.conf line 2: "auth_request" ignored/);
});

test('upstreams with server blocks but no location that a request can take to them are an error naming the upstream and why', () => {
  // gunicorn's published config: every path is try_files to a named location; without a root that location is left out.
  const gunicorn = (root: string): string =>
    `upstream app_server { server 127.0.0.1:8000 fail_timeout=0; }\nserver {\n  listen 80;\n${root}  location / {\n    try_files $uri @proxy_to_app;\n  }\n  location @proxy_to_app {\n    proxy_set_header Host $http_host;\n    proxy_redirect off;\n    proxy_pass http://app_server;\n  }\n}\n`;
  // With its root the named location is reached through try_files: it imports.
  assert.deepEqual(parseNginxConfig(gunicorn('  root /srv/app/public;\n')).options.locations?.['/'], {
    root: '/srv/app/public',
    tryFiles: ['$uri', '@proxy_to_app'],
  });
  assert.throws(
    () => parseNginxConfig(gunicorn('')),
    (err: unknown) => {
      assert.ok(err instanceof NginxParseError);
      assert.equal(err.line, 1);
      assert.match(
        err.message,
        /^upstream "app_server" is reached by no location: only named or internal locations proxy, which no client request reaches \(a named one is reached through a try_files that names it, an internal one through X-Accel-Redirect\), and "location \/" \(line 4, see its warning\) was left out; add a location with "proxy_pass http:\/\/app_server"/,
      );
      return true;
    },
  );
  assert.throws(
    () => parseNginxConfig('upstream u { server 127.0.0.1:1; }\nserver { listen 80; server_name a.example; }\n'),
    (err: unknown) =>
      err instanceof NginxParseError && /upstream "u" is reached by no location: the server blocks have no location with proxy_pass/.test(err.message),
  );
  // Only an internal location proxies: reached by X-Accel-Redirect only, which needs a location that proxies first.
  assert.throws(
    () => parseNginxConfig('upstream u { server 127.0.0.1:1; }\nserver { location /files/ { internal; proxy_pass http://u; } }\n'),
    /upstream "u" is reached by no location: only named or internal locations proxy/,
  );
  // Locations that only serve files beside the upstreams: a site that proxies nothing.
  assert.throws(
    () => parseNginxConfig('upstream u { server 127.0.0.1:1; }\nlocation /s/ { root /srv; }\n'),
    /upstream "u" is reached by no location: no location proxies \(they serve files or answer themselves\)/,
  );
  assert.throws(
    () => parseNginxConfig('upstream u { server 127.0.0.1:1; }\nlocation /s/ { }\n'),
    /upstream "u" is reached by no location: every location block was left out \(the first is "location \/s\/" \(line 2, see its warning\)\)/,
  );
  // A try_files naming no named location is an error at its location.
  assert.throws(
    () =>
      parseNginxConfig(
        'upstream u { server 127.0.0.1:1; }\nserver { root /srv;\nlocation /s/ { try_files $uri @nope; }\nlocation / { proxy_pass http://u; } }\n',
      ),
    (err: unknown) => err instanceof NginxParseError && err.line === 3 && /ends with @nope, which is no named location of this file/.test(err.message),
  );
});

test('a file of upstream blocks only still imports: the pools of proxyTo routes', () => {
  const { options, warnings } = parseNginxConfig('upstream a { server 127.0.0.1:1; }\nhttp { upstream b { server 127.0.0.1:2; } }\n');
  assert.deepEqual(Object.keys(options.upstreams), ['a', 'b']);
  assert.equal(options.locations, undefined);
  assert.deepEqual(warnings, []);
});

test('a hand-made parse result without notes: each warning counts as one that changes something', () => {
  const out = toSwitchyardOptions({ options: { upstreams: { a: ['http://127.0.0.1:1'] } }, warnings: ['my note'] });
  assert.deepEqual(out.notes, [{ line: 0, kind: 'changes', text: 'my note' }]);
});
