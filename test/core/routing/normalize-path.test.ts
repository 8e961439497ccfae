import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodePath, normalizePath } from '../../../packages/core/src/routing/normalize-path.js';

test('normal paths come back as they are', () => {
  for (const p of ['/', '/a', '/a/', '/a/b.c', '/.well-known/x', '/a..b/', '/a/b.', "/x-_~!$&'()*+,;=:@"]) {
    assert.equal(normalizePath(p), p, p);
  }
});

test('decoding, slashes and dot segments', () => {
  const cases: Array<[string, string]> = [
    ['//a///b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/../c', '/a/c'],
    ['/a/.', '/a/'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/%2E%2E/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/a/%2e/b', '/a/b'],
    ['/a%2Fb', '/a/b'],
    ['/a/..%2fb', '/b'],
    ['/a/..%5cb', '/b'],
    ['/a/..\\b', '/b'],
    ['/a\\b', '/a/b'],
    ['/api/%2F%2E%2E%2Fadmin', '/admin'],
    ['/%61%62c', '/abc'],
    ['/caf%C3%A9', '/café'],
    ['/café', '/café'],
    ['/%F0%9F%98%80', '/😀'],
    ['/a%20b', '/a b'],
    ['/a%3Fb%23c', '/a?b#c'],
    ['/a%25b', '/a%b'],
    ['/a%252e%252e/b', '/a%2e%2e/b'],
    ['//evil.com/x', '/evil.com/x'],
    ['/\\evil.com', '/evil.com'],
    ['/..a/b', '/..a/b'],
    ['/.../b', '/.../b'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizePath(input), expected, input);
});

test('unusable paths give undefined', () => {
  const bad = [
    '',
    'a/b',
    '*',
    '@host/x',
    'http://x/y',
    '/..',
    '/../a',
    '/a/../..',
    '/%2e%2e',
    '/a/%2e%2e/%2e%2e/b',
    '/..%2f',
    '/%',
    '/%2',
    '/%zz',
    '/%00',
    '/a%00b',
    '/a\u0000b',
    '/a b',
    '/a\tb',
    '/a\nb',
    '/a?b',
    '/a#b',
    '/%C3',
    '/%FF',
    '/%ED%A0%80',
    '/\uD800',
  ];
  for (const p of bad) assert.equal(normalizePath(p), undefined, JSON.stringify(p));
  assert.equal(normalizePath(undefined as unknown as string), undefined);
  assert.equal(normalizePath(42 as unknown as string), undefined);
});

test('encodePath keeps pchar and / and escapes the rest', () => {
  assert.equal(encodePath('/a b/c?d#e%f'), '/a%20b/c%3Fd%23e%25f');
  assert.equal(encodePath('/café/😀'), '/caf%C3%A9/%F0%9F%98%80');
  assert.equal(encodePath("/x-_.~!$&'()*+,;=:@"), "/x-_.~!$&'()*+,;=:@");
  assert.equal(encodePath('/a\\b"<>`{|}^['), '/a%5Cb%22%3C%3E%60%7B%7C%7D%5E%5B');
});

test('fuzz: never throws; results are rooted, clean and free of dot segments', () => {
  const pathChars = fc.constantFrom('/', '\\', '.', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', 'a', '0', '?', '#', ' ', 'é', '\u0000', 'x');
  const arb = fc.oneof(
    fc.string(),
    fc.string({ unit: pathChars }).map((s) => `/${s}`),
    fc.string({ unit: 'binary' }),
  );
  fc.assert(
    fc.property(arb, (raw) => {
      const out = normalizePath(raw);
      if (out === undefined) return;
      assert.ok(out.startsWith('/'));
      assert.ok(!out.includes('//'), out);
      assert.ok(!out.includes('\\'), out);
      assert.ok(!out.includes('\u0000'), out);
      const segments = out.split('/');
      assert.ok(!segments.includes('..') && !segments.includes('.'), out);
      // Encoding it again and normalising gives the same path: what we forward means what we matched.
      assert.equal(normalizePath(encodePath(out)), out);
    }),
    { numRuns: 3000 },
  );
});
