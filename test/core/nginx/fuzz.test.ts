/** @module Property tests: whatever the input (token soup, mutated fixtures, arbitrary text), parseNginxConfig returns or throws NginxParseError, nothing else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { NginxParseError, SwitchyardConfigError } from '@switchyard/core';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';
import { resolveConfig } from '../../../packages/core/src/config/index.js';

const dir = new URL('../../fixtures/nginx/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.conf'))
  .map((f) => readFileSync(new URL(f, dir), 'utf8'));

const ALPHABET = [
  'upstream',
  'server',
  'location',
  'proxy_pass',
  'http',
  'events',
  'if',
  'map',
  'include',
  'stream',
  'least_conn',
  'ip_hash',
  'hash',
  'consistent',
  'random',
  'two',
  'least_time',
  'header',
  'last_byte',
  'inflight',
  'keepalive',
  'zone',
  'sticky',
  'health_check',
  'set_real_ip_from',
  'return',
  'root',
  'rewrite',
  'proxy_next_upstream',
  'proxy_next_upstream_tries',
  'proxy_next_upstream_timeout',
  'proxy_connect_timeout',
  'proxy_read_timeout',
  'proxy_send_timeout',
  'proxy_set_header',
  'proxy_http_version',
  'error',
  'timeout',
  'http_502',
  'non_idempotent',
  'off',
  'Host',
  '$host',
  '$proxy_host',
  'X-A',
  '"v"',
  "'v'",
  '${msec}',
  'weight=2',
  'weight=0',
  'max_fails=1',
  'fail_timeout=10s',
  'max_conns=5',
  'slow_start=1m',
  'backup',
  'down',
  'drain',
  'a:1',
  'b',
  '[::1]:2',
  'unix:/s',
  'http://a',
  'http://a/x/',
  'https://b:3',
  'http://$v',
  'http://c:4/',
  '=',
  '^~',
  '~',
  '~*',
  '/',
  '/api/',
  '\\.(png)$',
  '@n',
  '5s',
  '1m30s',
  '30',
  '0',
  'interval=2',
  'uri=/h',
  'mandatory',
  '10.0.0.0/8',
  '$request_uri',
  'app',
  'a',
  'u',
  '{',
  '}',
  ';',
  ' ',
  ' ',
  '\n',
  '\t',
  '"',
  "'",
  '#',
  '$',
  '\\',
  '(',
  ')',
  '${',
];

const soup = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 80 }).map((parts) => parts.join(' '));
const tightSoup = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 80 }).map((parts) => parts.join(''));

type Edit = { at: number; kind: 'delete' | 'insert' | 'swap'; len: number; text: string };
const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Edit['kind']>('delete', 'insert', 'swap'),
  len: fc.integer({ min: 1, max: 12 }),
  text: fc.constantFrom(...ALPHABET),
});
const mutated = fc.tuple(fc.constantFrom(...fixtures), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([src, edits]) => {
  let s = src;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % s.length;
    if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
    else if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else s = s.slice(0, at) + s.slice(at + e.len, at + 2 * e.len) + s.slice(at, at + e.len) + s.slice(at + 2 * e.len);
  }
  return s;
});

/** Parse; the only allowed failure is NginxParseError with a sane position. Successful output must validate or fail as config. */
function check(text: string): void {
  let result;
  try {
    result = parseNginxConfig(text);
  } catch (err) {
    if (!(err instanceof NginxParseError)) throw err;
    const lines = text.split('\n').length;
    assert.ok(Number.isInteger(err.line) && err.line >= 1 && err.line <= lines, `line ${err.line} of ${lines}`);
    assert.ok(Number.isInteger(err.column) && err.column >= 1, `column ${err.column}`);
    return;
  }
  for (const w of result.warnings) assert.match(w, /^line \d+: /);
  try {
    resolveConfig(result.options, result.warnings);
  } catch (err) {
    if (!(err instanceof SwitchyardConfigError)) throw err;
  }
}

test('token soup (spaced) never throws anything but NginxParseError', () => {
  fc.assert(fc.property(soup, check), { numRuns: 1500 });
});

test('token soup (glued) never throws anything but NginxParseError', () => {
  fc.assert(fc.property(tightSoup, check), { numRuns: 1500 });
});

test('mutated fixtures never throw anything but NginxParseError', () => {
  fc.assert(fc.property(mutated, check), { numRuns: 1500 });
});

test('arbitrary text never throws anything but NginxParseError', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), check), { numRuns: 1000 });
});

test('the fuzzer reaches both outcomes (so the properties are not vacuous)', () => {
  let ok = 0;
  let failed = 0;
  fc.assert(
    fc.property(mutated, (text) => {
      try {
        parseNginxConfig(text);
        ok++;
      } catch {
        failed++;
      }
    }),
    { numRuns: 300, seed: 42 },
  );
  assert.ok(ok > 0 && failed > 0, `ok ${ok}, failed ${failed}`);
});
