/** @module Security: hostile nginx input: deep nesting is a parse error with a line (not a RangeError), `{ nginx: path }` reads regular files of at most 1 MiB (fstat first, so /dev/zero and FIFOs are refused). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchyard, NginxParseError, parseNginxConfig, SwitchyardConfigError } from '../../packages/core/src/index.js';
import { MAX_BLOCK_DEPTH, parseSyntaxTree } from '../../packages/core/src/nginx/syntax-tree.js';
import { MAX_NGINX_FILE_BYTES } from '../../packages/core/src/nginx/read-config-file.js';

const nested = (levels: number, name = 'if ($x)'): string => `${name} {\n`.repeat(levels) + '}\n'.repeat(levels);

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('10,000 nested blocks give a parse error with the line of the block too deep, not a RangeError', () => {
  const text = `server {\n${nested(10_000, 'location /')}}\n`;
  for (const parse of [() => parseNginxConfig(text), () => createSwitchyard({ nginx: text })]) {
    assert.throws(parse, (err: unknown) => {
      assert.ok(err instanceof NginxParseError, String(err));
      assert.equal(err.code, 'SWITCHYARD_NGINX_PARSE');
      assert.equal(err.message, `"location" block nested deeper than ${MAX_BLOCK_DEPTH} levels (line ${MAX_BLOCK_DEPTH + 1}, column 12)`);
      assert.equal(err.line, MAX_BLOCK_DEPTH + 1);
      return true;
    });
  }
  // Unbalanced and deep: still the depth error, at once.
  assert.throws(() => parseSyntaxTree('http {\n'.repeat(100_000)), { name: 'NginxParseError', line: MAX_BLOCK_DEPTH + 1 });
});

test(`exactly ${MAX_BLOCK_DEPTH} levels are read`, () => {
  const tree = parseSyntaxTree(nested(MAX_BLOCK_DEPTH));
  let depth = 0;
  for (let level: readonly (typeof tree)[number][] = tree; level.length > 0; level = level[0]!.block ?? []) depth++;
  assert.equal(depth, MAX_BLOCK_DEPTH);
  assert.throws(() => parseSyntaxTree(nested(MAX_BLOCK_DEPTH + 1)), NginxParseError);
});

test('{ nginx: path } refuses /dev/zero and a FIFO without reading them, naming the path', (t) => {
  assert.throws(() => createSwitchyard({ nginx: '/dev/zero' }), {
    name: 'SwitchyardConfigError',
    message: 'nginx file "/dev/zero" cannot be read: it is a character device, not a regular file',
  });
  const fifo = join(tempDir(t), 'nginx.conf');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => createSwitchyard({ nginx: fifo }), { message: `nginx file "${fifo}" cannot be read: it is a FIFO, not a regular file` });
});

test(`{ nginx: path } reads at most ${MAX_NGINX_FILE_BYTES} bytes, naming the path and the size`, (t) => {
  assert.equal(MAX_NGINX_FILE_BYTES, 1024 * 1024);
  const dir = tempDir(t);
  const config = 'upstream api { server 127.0.0.1:8001; }\n';
  const pad = (total: number): string => config + '#'.repeat(total - config.length - 1) + '\n';
  const big = join(dir, 'big.conf');
  writeFileSync(big, pad(MAX_NGINX_FILE_BYTES + 1));
  assert.throws(
    () => createSwitchyard({ nginx: big }),
    (err: unknown) => {
      assert.ok(err instanceof SwitchyardConfigError);
      assert.equal(err.path, 'nginx');
      assert.equal(
        err.message,
        `nginx file "${big}" is ${MAX_NGINX_FILE_BYTES + 1} bytes, more than the ${MAX_NGINX_FILE_BYTES} bytes switchyard reads (pass the text as { nginx: text } instead)`,
      );
      return true;
    },
  );
  const fits = join(dir, 'fits.conf');
  writeFileSync(fits, pad(MAX_NGINX_FILE_BYTES));
  const sy = createSwitchyard({ nginx: fits });
  assert.deepEqual([...sy.config.upstreams.keys()], ['api']);
  void sy.close();
});
