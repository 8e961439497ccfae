/** @module toSwitchyardOptions: plain options, a parse result, `{ nginx: text }` and `{ nginx: path }` all give options plus warnings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NginxParseError, SwitchyardConfigError, type SwitchyardInput, type SwitchyardOptions } from '@switchyard/core';
import { parseNginxConfig, toSwitchyardOptions } from '../../../packages/core/src/nginx/index.js';

const fixture = fileURLToPath(new URL('../../fixtures/nginx/three-servers.conf', import.meta.url));
const THREE = {
  options: {
    maxBodySize: '1m',
    upstreams: { backend: { servers: ['http://localhost:8000', 'http://localhost:8001', 'http://localhost:8002'] } },
    locations: { '/': { upstream: 'backend', headerDefaults: 'nginx' } },
    accelRedirect: true,
    absoluteRedirect: true,
    redirect: 'default',
    underscoresInHeaders: false,
  },
  warnings: [],
  notes: [],
};

test('plain options pass through untouched, with no warnings', () => {
  const options: SwitchyardOptions = { upstreams: { a: ['http://127.0.0.1:1'] }, locations: { '/': 'a' } };
  const out = toSwitchyardOptions(options);
  assert.equal(out.options, options);
  assert.deepEqual(out.warnings, []);
});

test('a parseNginxConfig result is unwrapped; its warnings are copied', () => {
  const parsed = parseNginxConfig('upstream a { server x:1; }\nserver { listen 80; gzip on; location / { proxy_pass http://a; } }');
  const out = toSwitchyardOptions(parsed);
  assert.equal(out.options, parsed.options);
  assert.deepEqual(out.warnings, ['line 2: "gzip" ignored (switchyard does not compress responses: use @fastify/compress (Fastify) or compression (Express))']);
  assert.notEqual(out.warnings, parsed.warnings);
  assert.deepEqual(out.notes, parsed.notes);
});

test('{ nginx: text } is parsed (a {, a ; or a line break makes it text)', () => {
  assert.deepEqual(toSwitchyardOptions({ nginx: 'upstream a { server x:1; }' }), {
    options: { maxBodySize: '1m', upstreams: { a: { servers: ['http://x:1'] } } },
    warnings: [],
    notes: [],
  });
});

test('{ nginx: path } reads the file, absolute or relative to the working directory', () => {
  assert.deepEqual(toSwitchyardOptions({ nginx: fixture }), THREE);
  const relative = fixture.slice(process.cwd().length + 1);
  assert.ok(!relative.startsWith('/'));
  assert.deepEqual(toSwitchyardOptions({ nginx: relative }), THREE);
});

test('keys next to nginx are laid over the parsed options', () => {
  const input = { nginx: fixture, status: { path: '/_status' }, trustProxy: true } as unknown as SwitchyardInput;
  assert.deepEqual(toSwitchyardOptions(input).options, { ...THREE.options, status: { path: '/_status' }, trustProxy: true });
});

test('a missing file is a config error naming the resolved path', () => {
  const missing = 'no/such/nginx.conf';
  assert.throws(
    () => toSwitchyardOptions({ nginx: missing }),
    (err: unknown) => {
      assert.ok(err instanceof SwitchyardConfigError);
      assert.equal(err.path, 'nginx');
      assert.equal(err.message, `nginx file "${resolve(missing)}" cannot be read: no such file`);
      return true;
    },
  );
});

test('a directory is a config error too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-nginx-'));
  try {
    assert.throws(() => toSwitchyardOptions({ nginx: dir }), { message: `nginx file "${dir}" cannot be read: it is a directory` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a parse error in a file names the file and keeps line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-nginx-'));
  try {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'upstream a {\n  server x:1\n}\n');
    assert.throws(
      () => toSwitchyardOptions({ nginx: file }),
      (err: unknown) => {
        assert.ok(err instanceof NginxParseError);
        assert.deepEqual([err.line, err.column], [3, 1]);
        assert.equal(err.message, `${file}: unexpected "}": directive "server" is missing its ";" (line 3, column 1)`);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad inputs: non-object, empty or non-string nginx', () => {
  assert.throws(() => toSwitchyardOptions(null as unknown as SwitchyardInput), {
    name: 'SwitchyardConfigError',
    message: 'options must be an object, got null',
  });
  assert.throws(() => toSwitchyardOptions('x' as unknown as SwitchyardInput), { message: 'options must be an object, got string' });
  assert.throws(() => toSwitchyardOptions({ nginx: '  ' }), { message: 'nginx must be nginx configuration text or the path of an nginx file' });
  assert.throws(() => toSwitchyardOptions({ nginx: 3 } as unknown as SwitchyardInput), {
    message: 'nginx must be nginx configuration text or the path of an nginx file',
  });
});

test('parseNginxConfig refuses a non-string and a file with nothing to balance', () => {
  assert.throws(() => parseNginxConfig(undefined as unknown as string), TypeError);
  assert.throws(
    () => parseNginxConfig('# nothing\nevents {}\n'),
    (err: unknown) => err instanceof NginxParseError && err.line === 1 && err.column === 1,
  );
  assert.throws(() => parseNginxConfig(''), /nothing for switchyard to balance/);
});
