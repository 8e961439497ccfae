/** @module nginx tokenizer and block structure: comments, quotes, escapes, ${var}, positions, and every syntax error with its line and column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParseError } from '@switchyard/core';
import { tokenize } from '../../../packages/core/src/nginx/tokenizer.js';
import { parseSyntaxTree } from '../../../packages/core/src/nginx/syntax-tree.js';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';

const words = (text: string): Array<string | [string, number, number]> => tokenize(text).map((t) => (t.type === 'word' ? [t.value, t.line, t.column] : t.type));

function throwsAt(text: string, line: number, column: number, message: RegExp, parse: (t: string) => unknown = parseNginxConfig): void {
  assert.throws(
    () => parse(text),
    (err: unknown) => {
      assert.ok(err instanceof NginxParseError, `expected NginxParseError, got ${String(err)}`);
      assert.equal(err.code, 'SWITCHYARD_NGINX_PARSE');
      assert.deepEqual([err.line, err.column], [line, column], err.message);
      assert.match(err.message, message);
      assert.ok(err.message.endsWith(`(line ${line}, column ${column})`), err.message);
      return true;
    },
  );
}

test('tokens carry 1-based line and column', () => {
  assert.deepEqual(words('upstream a {\n  server x:1;\n}\n'), [['upstream', 1, 1], ['a', 1, 10], '{', ['server', 2, 3], ['x:1', 2, 10], ';', '}']);
});

test('# starts a comment only where a token can start', () => {
  assert.deepEqual(words('a b#c; # all this\n# and this\nd;'), [['a', 1, 1], ['b#c', 1, 3], ';', ['d', 3, 1], ';']);
});

test('quoted words: both quotes, escapes as nginx unescapes them, spaces and ; and braces inside', () => {
  const vals = tokenize(`x "a b;{}" 'c\\'d' "e\\"f" "t\\tn\\nr\\r" "back\\\\slash" "keep\\.dot";`).flatMap((t) => (t.type === 'word' ? [t.value] : []));
  assert.deepEqual(vals, ['x', 'a b;{}', "c'd", 'e"f', 't\tn\nr\r', 'back\\slash', 'keep\\.dot']);
  const quoted = tokenize(`x "y";`).map((t) => (t.type === 'word' ? t.quoted : t.type));
  assert.deepEqual(quoted, [false, true, ';']);
});

test('unquoted words keep regex backslashes and end at space, ; or { but not at }', () => {
  assert.deepEqual(
    tokenize('location ~* \\.(png|jpg)$ { a}b; }').map((t) => (t.type === 'word' ? t.value : t.type)),
    ['location', '~*', '\\.(png|jpg)$', '{', 'a}b', ';', '}'],
  );
});

test('${var} stays one word, the { of ${ does not open a block', () => {
  assert.deepEqual(words('h X ${msec}x;'), [['h', 1, 1], ['X', 1, 3], ['${msec}x', 1, 5], ';']);
  assert.deepEqual(words('h t=${a}${b};'), [['h', 1, 1], ['t=${a}${b}', 1, 3], ';']);
});

test('a quoted word may be followed by ) as in if conditions', () => {
  assert.deepEqual(
    tokenize('if ($a = "b") {}').map((t) => (t.type === 'word' ? t.value : t.type)),
    ['if', '($a', '=', 'b', ')', '{', '}'],
  );
});

test('CRLF line ends and tabs count as whitespace; columns count characters', () => {
  assert.deepEqual(words('a\r\n\tb;'), [['a', 1, 1], ['b', 2, 2], ';']);
});

test('syntax tree: blocks nest, directives keep args and positions', () => {
  const tree = parseSyntaxTree('http {\n  server { location / { proxy_pass http://a; } }\n}\nx y;');
  assert.equal(tree.length, 2);
  const http = tree[0];
  assert.equal(http?.name, 'http');
  const loc = http?.block?.[0]?.block?.[0];
  assert.equal(loc?.name, 'location');
  assert.deepEqual(
    loc?.args.map((a) => a.value),
    ['/'],
  );
  assert.deepEqual([loc?.line, loc?.column], [2, 12]);
  assert.deepEqual(
    loc?.block?.[0]?.args.map((a) => a.value),
    ['http://a'],
  );
  assert.equal(tree[1]?.block, undefined);
});

test('unterminated quote: error at the opening quote', () => {
  throwsAt('upstream a {\n  server "x:1;\n}\n', 2, 10, /unterminated quoted string/);
  throwsAt("a 'b", 1, 3, /unterminated quoted string/);
});

test('a quoted word glued to the next one is an error at the glued character', () => {
  throwsAt('a "b"c;', 1, 6, /unexpected "c" after a quoted string/);
  throwsAt('a "b"}', 1, 6, /unexpected "}" after a quoted string/);
});

test('missing } at end of file: error at the block that stays open', () => {
  throwsAt('upstream a {\n  server x:1;\n', 1, 12, /unexpected end of file, expecting "}" to close the "upstream" block/);
  throwsAt('http {\n server {\n  location / { proxy_pass http://a; }\n', 2, 9, /"server" block/);
});

test('extra }: error at it', () => {
  throwsAt('upstream a { server x:1; }\n}\n', 2, 1, /unexpected "}" \(no block is open\)/);
});

test('missing ; before }: error at the }', () => {
  throwsAt('upstream a {\n  server x:1\n}', 3, 1, /unexpected "}": directive "server" is missing its ";"/);
});

test('missing ; at end of file: error at the directive', () => {
  throwsAt('upstream a { server x:1; }\nserver_name a', 2, 1, /unexpected end of file, expecting ";" or "{" after "server_name"/);
});

test('missing ; between two lines: error just after the word that needed it', () => {
  throwsAt('upstream a {\n  server x:1 weight=2\n  server y:1;\n}', 2, 22, /missing ";" after "weight=2"/);
  throwsAt('location / {\n  proxy_pass http://a\n  proxy_read_timeout 5s;\n}', 2, 22, /missing ";" after "http:\/\/a"/);
});

test('stray ; or { with no directive', () => {
  throwsAt('upstream a { server x:1; };', 1, 27, /unexpected ";"/);
  throwsAt('{ }', 1, 1, /unexpected "{"/);
});

test('a long run of digits in a duration fails fast (no exponential regex backtracking)', () => {
  // The old anchored `(\d+unit?\s*)+` pattern took seconds on ~30 digits followed by a bad unit.
  const digits = '1'.repeat(5000);
  assert.throws(
    () => parseNginxConfig(`upstream u { server a:1; } server { location / { proxy_read_timeout ${digits}x; proxy_pass http://u; } }`),
    NginxParseError,
  );
});
