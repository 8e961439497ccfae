import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchyardConfigError } from '../../../packages/core/src/errors.js';
import type { RequestInfo } from '../../../packages/core/src/types.js';
import { compileHashKey } from '../../../packages/core/src/config/hash-key.js';

const req: RequestInfo = {
  method: 'GET',
  url: '/shop/cart?User=alice&id=7&empty=&flag',
  headers: {
    host: 'Example.COM:8080',
    'x-tenant': 'acme',
    'x-multi': ['a', 'b'],
    cookie: 'theme=dark; SID=abc123; other=1',
  },
  clientIp: '::ffff:10.1.2.3',
};

test('every variable', () => {
  const cases: Array<[string, string]> = [
    ['$request_uri', '/shop/cart?User=alice&id=7&empty=&flag'],
    ['$uri', '/shop/cart'],
    ['$args', 'User=alice&id=7&empty=&flag'],
    ['$query_string', 'User=alice&id=7&empty=&flag'],
    ['$is_args', '?'],
    ['$remote_addr', '10.1.2.3'],
    ['$host', 'example.com'],
    ['$request_method', 'GET'],
    ['$http_x_tenant', 'acme'],
    ['$HTTP_X_TENANT', 'acme'],
    ['$http_x_multi', 'a, b'],
    ['$http_x_missing', ''],
    ['$cookie_sid', 'abc123'],
    ['$cookie_theme', 'dark'],
    ['$cookie_none', ''],
    ['$arg_user', 'alice'],
    ['$arg_id', '7'],
    ['$arg_empty', ''],
    ['$arg_flag', ''],
    ['$arg_nope', ''],
  ];
  for (const [source, expected] of cases) assert.equal(compileHashKey(source, 'k')(req), expected, source);
});

test('literal text, braces and concatenation', () => {
  assert.equal(compileHashKey('$host$request_uri', 'k')(req), 'example.com/shop/cart?User=alice&id=7&empty=&flag');
  assert.equal(compileHashKey('user:${arg_id}x', 'k')(req), 'user:7x');
  assert.equal(compileHashKey('$arg_id-$cookie_sid', 'k')(req), '7-abc123');
  assert.equal(compileHashKey('constant', 'k')(req), 'constant');
});

test('missing request parts give empty strings', () => {
  const bare: RequestInfo = { method: 'POST', url: '/x', headers: {}, clientIp: '2001:db8::1' };
  assert.equal(compileHashKey('[$args|$is_args|$host|$cookie_a|$arg_a|$http_a]', 'k')(bare), '[|||||]');
  assert.equal(compileHashKey('$remote_addr', 'k')(bare), '2001:db8::1');
  assert.equal(compileHashKey('$host', 'k')({ ...bare, headers: { host: '[::1]:80' } }), '[::1]');
});

test('unknown variables and stray dollars are config errors naming the path', () => {
  for (const bad of ['$nope', '$http_', '$ x', 'a$', '${uri', '${}', '${a b}', '']) {
    assert.throws(
      () => compileHashKey(bad, 'upstreams.api.hash.key'),
      (err: unknown) => err instanceof SwitchyardConfigError && err.path === 'upstreams.api.hash.key',
      bad,
    );
  }
  assert.throws(() => compileHashKey('$nope', 'upstreams.api.hash.key'), /upstreams\.api\.hash\.key uses the unknown variable \$nope \(known: \$request_uri/);
});

test('$uri is the decoded, normalised path, as nginx computes it', () => {
  const key = compileHashKey('$uri', 'k');
  const at = (url: string): string => key({ method: 'GET', url, headers: {}, clientIp: '127.0.0.1' });
  assert.equal(at('/a/%62c//d/../e?x=1'), '/a/bc/e');
  assert.equal(at('/caf%C3%A9'), '/café');
  assert.equal(at('/plain'), '/plain');
});
