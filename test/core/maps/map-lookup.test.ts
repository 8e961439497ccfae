/** @module nginx `map` semantics in core: the lookup order (exact, hostnames wildcards, regexes in order, default), case rules, captures and variables in values, validation errors naming the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, SwitchyardConfigError, type MapOptions } from '@switchyard/core';
import { resolveMaps } from '../../../packages/core/src/maps/resolve-maps.js';
import { evaluateMap, findMapEntry } from '../../../packages/core/src/maps/find-map-entry.js';
import type { ResolvedMap } from '../../../packages/core/src/maps/map-types.js';

function one(options: MapOptions): ResolvedMap {
  return resolveMaps({ m: options }).get('m') as ResolvedMap;
}

/** The value for `source`, variables read from `vars`. */
function value(map: ResolvedMap, source: string, vars: Record<string, string> = {}): string {
  return evaluateMap(map, (name) => (name === 'src' ? source : vars[name])).value;
}

test('exact keys first, compared case-insensitively (nginx lowercases both sides); then regexes in order; then the default', () => {
  const map = one({
    source: '$src',
    values: { '~^/api/': 'regex-api', '/api/exact': 'exact', '~^/a': 'regex-a', '~*\\.PNG$': 'image', 'Mixed.Case': 'mixed' },
    default: 'fallback',
  });
  assert.equal(value(map, '/api/exact'), 'exact', 'an exact key wins over an earlier regex');
  assert.equal(value(map, '/API/EXACT'), 'exact');
  assert.equal(value(map, 'mixed.case'), 'mixed');
  assert.equal(value(map, '/api/x'), 'regex-api', 'the first regex in order');
  assert.equal(value(map, '/about'), 'regex-a');
  assert.equal(value(map, '/A'), 'fallback', '~ is case-sensitive');
  assert.equal(value(map, '/x/y.png'), 'image', '~* is not');
  assert.equal(value(map, '/other'), 'fallback');
});

test('no default is the empty string; an empty source tries no regex (ngx_http_map_find)', () => {
  const map = one({ source: '$src', values: { '~.*': 'any' } });
  assert.equal(value(map, 'x'), 'any');
  assert.equal(value(map, ''), '');
  const withEmptyKey = one({ source: '$src', values: { '': 'empty', '~.*': 'any' }, default: 'd' });
  assert.equal(value(withEmptyKey, ''), 'empty');
});

test('values carry variables and the captures of their own regex; $1 of an exact entry reads the outer captures', () => {
  const map = one({
    source: '$src',
    values: { '~^/u/(?<user>[a-z]+)/(\\d+)$': '$1-$2-${host}', '~^/plain$': '[$1]', static: 'on $host' },
    default: '$scheme://$host',
  });
  assert.equal(value(map, '/u/ann/42', { host: 'h.test' }), 'ann-42-h.test');
  assert.equal(value(map, '/plain'), '[]', 'a capture the regex does not have is empty');
  assert.equal(value(map, 'static', { host: 'h' }), 'on h');
  assert.equal(value(map, 'zzz', { scheme: 'https', host: 'h' }), 'https://h');
  const outer = one({ source: '$src', values: { a: 'got $1' } });
  assert.equal(
    evaluateMap(
      outer,
      (n) => (n === 'src' ? 'a' : undefined),
      (n) => (n === 1 ? 'outer' : undefined),
    ).value,
    'got outer',
  );
  assert.equal(outer.outerCaptures, 'values["a"]');
});

test('hostnames: exact, then the longest *.x / .x, then x.*, then regexes; a trailing dot of the source is dropped', () => {
  const map = one({
    source: '$src',
    hostnames: true,
    values: {
      'example.com': 'exact',
      '*.example.com': 'any-sub',
      '*.deep.example.com': 'deep-sub',
      '.example.org': 'org',
      'www.example.*': 'www-tail',
      '~^www\\.': 'www-regex',
    },
    default: 'none',
  });
  assert.equal(value(map, 'example.com'), 'exact');
  assert.equal(value(map, 'EXAMPLE.com.'), 'exact');
  assert.equal(value(map, 'a.example.com'), 'any-sub');
  assert.equal(value(map, 'a.deep.example.com'), 'deep-sub', 'the longest wildcard');
  assert.equal(value(map, 'deep.example.com'), 'any-sub');
  assert.equal(value(map, 'example.org'), 'org', '.x is x too');
  assert.equal(value(map, 'a.b.example.org'), 'org');
  assert.equal(value(map, 'www.example.net'), 'www-tail');
  assert.equal(value(map, 'www.example.co.uk'), 'www-tail');
  assert.equal(value(map, 'www.other.net'), 'www-regex');
  assert.equal(value(map, 'other.net'), 'none');
  // Without hostnames the same keys are plain strings.
  const plain = one({ source: '$src', values: { '*.example.com': 'literal' } });
  assert.equal(value(plain, '*.example.com'), 'literal');
  assert.equal(value(plain, 'a.example.com'), '');
  assert.equal(findMapEntry(plain, 'a.example.com.').match, undefined);
});

test('a leading backslash makes a key literal (\\~ and \\default)', () => {
  const map = one({ source: '$src', values: { '\\~tilde': 't', '\\default': 'd' } });
  assert.equal(value(map, '~tilde'), 't');
  assert.equal(value(map, 'default'), 'd');
});

test('the configuration refuses bad maps naming the field', () => {
  const refused = (maps: unknown, message: string): void => {
    assert.throws(
      () => createSwitchyard({ upstreams: { a: ['http://127.0.0.1:1'] }, maps: maps as Record<string, MapOptions> }),
      (err: unknown) => err instanceof SwitchyardConfigError && err.message.includes(message),
      message,
    );
  };
  refused('x', 'maps must be an object of variable name');
  refused({ 'bad-name': { source: '$host' } }, 'maps["bad-name"] must be a variable name');
  refused({ host: { source: '$http_host' } }, 'maps.host "$host" is a variable nginx gives every request');
  refused({ http_x: { source: '$host' } }, 'maps.http_x "$http_x" is a variable nginx gives every request');
  refused({ m: {} }, 'maps.m.source is required');
  refused({ m: { source: '$host', value: {} } }, 'maps.m.value is not a known option (did you mean values?)');
  refused({ m: { source: '$host', values: { '~(': 'x' } } }, 'maps.m.values["~("] is not a valid regular expression');
  refused({ m: { source: '$host', values: { '~(a+)+$': 'x' } } }, 'maps.m.values["~(a+)+$"] can take exponential time');
  refused({ m: { source: '$host', values: { A: '1', a: '2' } } }, 'maps.m.values.a repeats the key "a"');
  refused({ m: { source: '$host', hostnames: true, values: { 'a.*.com': '1' } } }, 'maps.m.values["a.*.com"] is an invalid hostname or wildcard');
  refused({ m: { source: '$host', values: { a: 'x$' } } }, 'maps.m.values.a has "$" without a variable name');
  refused({ m: { source: '$host', values: { a: 1 } } }, 'maps.m.values.a must be a string');
  refused({ m: { source: '$host', hostnames: 'yes' } }, 'maps.m.hostnames must be a boolean');
  refused({ a: { source: '$b' }, b: { source: '$host', default: '$a' } }, 'maps.a uses itself through other maps ($a -> $b -> $a)');
  refused({ M: { source: '$host' }, m: { source: '$host' } }, 'maps.m repeats the map $m');
});
