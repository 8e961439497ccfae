/** @module Security: hash keys read own properties only, Object.prototype names are refused at configuration time, and a failing key leaves pick() as one SWITCHYARD_HASH_KEY error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard } from '../../packages/core/src/switchyard.js';
import { SwitchyardConfigError, SwitchyardError } from '../../packages/core/src/errors.js';
import { compileHashKey } from '../../packages/core/src/config/hash-key.js';
import { HASH_KEY_ERROR_CODE } from '../../packages/core/src/index.js';
import { parseNginxConfig } from '../../packages/core/src/nginx/index.js';
import type { RequestInfo, Switchyard } from '../../packages/core/src/types.js';

const SERVERS = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

function hashed(key: string | ((req: RequestInfo) => unknown), consistent = false): Switchyard {
  return createSwitchyard({
    upstreams: { api: { servers: SERVERS, balance: 'hash', hash: { key: key as string, consistent } } },
  });
}

function request(headers: RequestInfo['headers'] = {}, url = '/x'): RequestInfo {
  return { method: 'GET', url, headers, clientIp: '10.0.0.1' };
}

test('a hash key naming an Object.prototype member is refused at configuration time, naming the field', () => {
  const refused = [
    '$__proto__',
    '$http___proto__',
    '$constructor',
    '$http_constructor',
    '$prototype',
    '${cookie_hasOwnProperty}',
    '$arg_toString',
    '$HTTP_Constructor',
    'a-$http_valueof-b',
  ];
  for (const key of refused) {
    assert.throws(
      () => hashed(key),
      (err: unknown) => {
        assert.ok(err instanceof SwitchyardConfigError, key);
        assert.equal(err.path, 'upstreams.api.hash.key');
        assert.match(err.message, /^upstreams\.api\.hash\.key uses \$\S+, which is refused: "[a-z_]+" names a JavaScript Object\.prototype member/);
        return true;
      },
      key,
    );
  }
  // The same in an nginx file, with the line.
  assert.throws(() => createSwitchyard({ nginx: 'upstream api {\n  hash $http_constructor;\n  server 127.0.0.1:1;\n}' }), {
    name: 'NginxParseError',
    message:
      'invalid key "$http_constructor" in "hash" directive: uses $http_constructor, which is refused: "constructor" names a JavaScript Object.prototype member, not a request value (line 2, column 8)',
  });
  // Names that only contain such a word are ordinary headers.
  assert.doesNotThrow(() => hashed('$http_x_constructor_id'));
  assert.doesNotThrow(() => parseNginxConfig('upstream api { hash $http_x_proto; server 127.0.0.1:1; }'));
});

test('$http_*, $cookie_* and $host read own header properties only', () => {
  const inherited = Object.assign(
    Object.create({ 'x-tenant': 'from-prototype', host: 'proto.example', cookie: 'uid=proto' }) as object,
    {},
  ) as RequestInfo['headers'];
  assert.equal(compileHashKey('$http_x_tenant', 'k')(request(inherited)), '');
  assert.equal(compileHashKey('$host', 'k')(request(inherited)), '');
  assert.equal(compileHashKey('$cookie_uid', 'k')(request(inherited)), '');
  // A header value that is neither a string nor an array of strings (a RequestInfo built by other code) is ''.
  const odd = { 'x-n': 5, 'x-a': ['a', 7, 'b'] } as unknown as RequestInfo['headers'];
  assert.equal(compileHashKey('$http_x_n|$http_x_a', 'k')(request(odd)), '|a, b');
  // Own values still work, including a repeated cookie header.
  assert.equal(
    compileHashKey('$http_x_tenant/$cookie_uid', 'k')(request({ 'x-tenant': 't1', cookie: ['a=1', 'uid=42'] } as unknown as RequestInfo['headers'])),
    't1/42',
  );
});

test('a key function that throws leaves pick() as one SWITCHYARD_HASH_KEY error naming the upstream; the pool keeps working', () => {
  for (const consistent of [false, true]) {
    const sy = hashed(function tenantKey(req) {
      return (req.headers['x-tenant'] as string).toLowerCase();
    }, consistent);
    const pool = sy.upstream('api');
    assert.equal(HASH_KEY_ERROR_CODE, 'SWITCHYARD_HASH_KEY');
    assert.throws(
      () => pool.pick({ request: request() }),
      (err: unknown) => {
        assert.ok(err instanceof SwitchyardError);
        assert.equal(err.code, 'SWITCHYARD_HASH_KEY');
        assert.match(err.message, /^upstream "api": hash\.key \[function tenantKey\] threw TypeError: Cannot read properties of undefined/);
        assert.ok(!err.message.includes('\n'));
        assert.ok(err.cause instanceof TypeError);
        return true;
      },
    );
    // Nothing was counted as picked, and a good request is served.
    const pick = pool.pick({ request: request({ 'x-tenant': 'ACME' }) });
    assert.ok(pick !== undefined);
    assert.equal(
      sy.status().upstreams.api!.servers.reduce((n, s) => n + s.active, 0),
      1,
    );
    pick.release({ status: 200 });
    assert.equal(
      sy.status().upstreams.api!.servers.reduce((n, s) => n + s.requests, 0),
      1,
    );
  }
});

test('a key function returning an object or a Promise is an error, not "[object Object]" for every request', () => {
  const cases: Array<[(req: RequestInfo) => unknown, RegExp]> = [
    [async (req) => req.url, /returned a Promise \(key functions must be synchronous\), not a string$/],
    [(req) => ({ url: req.url }), /returned an object, not a string$/],
    [(req) => [req.url], /returned an array, not a string$/],
    [() => Symbol('k'), /returned a symbol, not a string$/],
    [() => Object.create(null) as object, /returned an object, not a string$/],
  ];
  for (const [key, message] of cases) {
    const sy = hashed(key);
    assert.throws(
      () => sy.upstream('api').pick({ request: request() }),
      (err: unknown) => {
        assert.ok(err instanceof SwitchyardError);
        assert.equal(err.code, 'SWITCHYARD_HASH_KEY');
        assert.match(err.message, /^upstream "api": hash\.key \[function( key)?\] /);
        assert.match(err.message, message);
        return true;
      },
    );
  }
  // Strings, numbers and no key (undefined/null: round robin, as nginx's empty key) stay accepted.
  for (const v of ['k', 7, undefined, null, true]) {
    assert.ok(
      hashed(() => v)
        .upstream('api')
        .pick({ request: request() }) !== undefined,
      String(v),
    );
  }
});

test('a thrown non-Error and a message with line breaks still give a one-line error', () => {
  const sy = hashed(() => {
    throw new Error('first line\n    at secret/path.js:1:1');
  });
  assert.throws(() => sy.upstream('api').pick({ request: request() }), {
    code: 'SWITCHYARD_HASH_KEY',
    message: 'upstream "api": hash.key [function] threw Error: first line',
  });
  const sy2 = hashed(() => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test: a key function throwing a non-Error
    throw { weird: true };
  });
  assert.throws(() => sy2.upstream('api').pick({ request: request() }), {
    code: 'SWITCHYARD_HASH_KEY',
    message: 'upstream "api": hash.key [function] threw an object',
  });
});
