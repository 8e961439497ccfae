/** @module nginx import of `sticky cookie | route | learn` and `server ... route=`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, parseNginxConfig } from '@switchyard/core';

const upstream = (body: string) => parseNginxConfig(`upstream u {\n${body}\n}\nlocation / { proxy_pass http://u; }`);

test('sticky cookie with every parameter maps onto sticky.cookie and validates', () => {
  const { options } = upstream('server 127.0.0.1:8001;\nsticky cookie srv_id expires=1h domain=.example.com httponly samesite=lax secure path=/;');
  assert.deepEqual(options.upstreams.u, {
    servers: ['http://127.0.0.1:8001'],
    sticky: { cookie: { name: 'srv_id', expires: '1h', domain: '.example.com', httpOnly: true, sameSite: 'lax', secure: true, path: '/' } },
  });
  assert.equal(createSwitchyard(options).config.upstreams.get('u')?.sticky?.mode, 'cookie');
  assert.deepEqual(upstream('server a:1;\nsticky cookie s expires=max;').options.upstreams.u, {
    servers: ['http://a:1'],
    sticky: { cookie: { name: 's', expires: 'max' } },
  });
});

test('sticky route and server route= map onto sticky.route and servers[].route', () => {
  const { options } = upstream('server 127.0.0.1:8001 route=a;\nserver 127.0.0.1:8002 route=b weight=2;\nsticky route $cookie_route $arg_route;');
  assert.deepEqual(options.upstreams.u, {
    servers: [
      { url: 'http://127.0.0.1:8001', route: 'a' },
      { url: 'http://127.0.0.1:8002', route: 'b', weight: 2 },
    ],
    sticky: { route: ['$cookie_route', '$arg_route'] },
  });
  createSwitchyard(options);
});

test('sticky learn: create, lookup, timeout; the zone size becomes maxSessions (nginx: 1m ~ 8000 sessions)', () => {
  const { options, warnings } = upstream(
    'server a:1;\nsticky learn create=$upstream_cookie_sessionid lookup=$cookie_sessionid zone=client_sessions:1m timeout=1h header;',
  );
  assert.deepEqual(options.upstreams.u, {
    servers: ['http://a:1'],
    sticky: { learn: { create: ['$upstream_cookie_sessionid'], lookup: ['$cookie_sessionid'], timeout: '1h', maxSessions: 8000 } },
  });
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? '', /line 3: "zone=client_sessions:1m": sessions are kept in the process, at most 8000/);
  assert.match(warnings[1] ?? '', /line 3: "header" ignored/);
  createSwitchyard(options);
});

test('bad sticky directives are errors at the word', () => {
  const at = (body: string, line: number, column: number, message: RegExp) =>
    assert.throws(
      () => upstream(body),
      (err: Error & { line?: number; column?: number }) => err.line === line && err.column === column && message.test(err.message),
    );
  at('server a:1;\nsticky cookie srv_id foo;', 3, 22, /unknown parameter "foo"/);
  at('server a:1;\nsticky cookie srv_id httponly httponly;', 3, 31, /parameter "httponly" is duplicate/);
  at('server a:1;\nsticky cookie s samesite=often;', 3, 17, /invalid "samesite" parameter value/);
  at('server a:1;\nsticky cookie s domain=$host;', 3, 17, /variables in "domain" are not supported/);
  at('server a:1;\nsticky route cookie_route;', 3, 14, /invalid variable name "cookie_route"/);
  at('server a:1;\nsticky learn lookup=$cookie_s zone=z:1m;', 3, 1, /"create" parameter is not specified/);
  at('server a:1;\nsticky learn create=$upstream_cookie_s lookup=$cookie_s;', 3, 1, /"zone" parameter is not specified/);
  at('server a:1;\nsticky sessions x;', 3, 8, /unknown parameter "sessions"/);
  at('server a:1;\nsticky cookie;', 3, 1, /invalid number of arguments in "sticky" directive/);
  at('server a:1;\nsticky cookie a;\nsticky cookie b;', 4, 1, /"sticky" directive is duplicate/);
});

test("Angie's sticky_secret and sticky_strict (either order) and server sid= map onto sticky.secret, sticky.strict and route", () => {
  const { options, warnings } = upstream('sticky_strict on;\nserver 127.0.0.1:8001 sid=a;\nsticky_secret s3cr3t;\nsticky cookie srv_id;');
  assert.deepEqual(options.upstreams.u, {
    servers: [{ url: 'http://127.0.0.1:8001', route: 'a' }],
    sticky: { cookie: { name: 'srv_id' }, secret: 's3cr3t', strict: true },
  });
  assert.deepEqual(warnings, []);
  const sticky = createSwitchyard(options).config.upstreams.get('u')?.sticky;
  assert.deepEqual(sticky?.mode === 'cookie' && [sticky.secret, sticky.sign, sticky.strict], ['s3cr3t', 'md5', true]);
  assert.deepEqual(upstream('server a:1 route=r;\nsticky route $cookie_r;\nsticky_secret x;\nsticky_strict off;').options.upstreams.u, {
    servers: [{ url: 'http://a:1', route: 'r' }],
    sticky: { route: ['$cookie_r'], secret: 'x' },
  });
  const alone = upstream('server a:1;\nsticky_strict on;');
  assert.deepEqual(alone.warnings, ['line 3: "sticky_strict" ignored (no "sticky" in this upstream)']);
});

test('bad sticky_secret / sticky_strict are errors at the word', () => {
  const at = (body: string, line: number, column: number, message: RegExp) =>
    assert.throws(
      () => upstream(body),
      (err: Error & { line?: number; column?: number }) => err.line === line && err.column === column && message.test(err.message),
    );
  at('server a:1;\nsticky cookie s;\nsticky_strict yes;', 4, 15, /invalid value "yes" in "sticky_strict" directive, it must be "on" or "off"/);
  at('server a:1;\nsticky cookie s;\nsticky_secret $host;', 4, 15, /variables in "sticky_secret" are not supported/);
  at('server a:1;\nsticky cookie s;\nsticky_secret a b;', 4, 1, /invalid number of arguments in "sticky_secret" directive/);
  at('server a:1;\nsticky cookie s;\nsticky_strict on;\nsticky_strict off;', 5, 1, /"sticky_strict" directive is duplicate/);
  at(
    'server a:1;\nsticky learn create=$upstream_cookie_s lookup=$cookie_s zone=z:1m;\nsticky_secret k;',
    4,
    1,
    /"sticky_secret" applies to "sticky cookie" and "sticky route"/,
  );
  at('server a:1 sid=x route=y;', 2, 18, /duplicate parameter "route=y"/);
});
