/** @module nginx `include`: followed from disk (relative to the main file's directory, globs sorted, dotfiles skipped) and from passed texts, bounded, errors naming the file and line. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNginxConfig, toSwitchyardOptions, NginxParseError } from '@switchyard/core';

const root = mkdtempSync(join(tmpdir(), 'sy-include-'));
after(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 't-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('a config file read from disk follows its includes: the Mattermost layout (every proxy_pass in an included file) proxies', () => {
  const dir = tree({
    'nginx.conf': 'events {}\nhttp {\n  include mime.types;\n  include conf.d/*.conf;\n}\n',
    'mime.types': 'types { text/html html; }\n',
    'conf.d/mattermost.conf':
      'upstream backend { server 127.0.0.1:8065; keepalive 32; }\nserver {\n  listen 80; gzip on;\n  location ~ /api/v[0-9]+/(users/)?websocket$ { proxy_pass http://backend; }\n  location / { include snippets/headers.conf; proxy_pass http://backend; }\n}\n',
    'snippets/headers.conf': 'proxy_read_timeout 600s;\n',
    'conf.d/.hidden.conf': 'upstream hidden { server 127.0.0.1:1; }\n',
    'conf.d/notes.txt': 'this is not nginx syntax {',
  });
  const { options, warnings } = toSwitchyardOptions({ nginx: join(dir, 'nginx.conf') });
  assert.deepEqual(Object.keys(options.upstreams), ['backend'], 'the dotfile and the .txt are not included');
  assert.deepEqual(options.locations?.['/'], { upstream: 'backend', headerDefaults: 'nginx', timeouts: { read: '600s' } });
  assert.ok(options.locations?.['~ /api/v[0-9]+/(users/)?websocket$']);
  // A warning in an included file names that file (relative to the main file's directory) and its line.
  assert.ok(
    warnings.includes(
      'conf.d/mattermost.conf line 3: "gzip" ignored (switchyard does not compress responses: use @fastify/compress (Fastify) or compression (Express))',
    ),
    warnings.join('\n'),
  );
  assert.ok(warnings.some((w) => w.startsWith('line 1: "events"')));
});

test('globs include the matches in sorted order; one that matches nothing includes nothing (nginx), a plain missing name is an error', () => {
  const dir = tree({
    'nginx.conf': 'include sites/*;\ninclude none/*.conf;\n',
    'sites/b': 'server { location /b/ { proxy_pass http://127.0.0.1:8002; } }\n',
    'sites/a': 'upstream u { server 127.0.0.1:8001; }\nserver { location /a/ { proxy_pass http://u; } }\n',
  });
  const { options } = toSwitchyardOptions({ nginx: join(dir, 'nginx.conf') });
  assert.deepEqual(Object.keys(options.locations ?? {}), ['/a/', '/b/']);

  const missing = tree({ 'nginx.conf': 'http {\n  include proxy_params;\n}\n' });
  assert.throws(
    () => toSwitchyardOptions({ nginx: join(missing, 'nginx.conf') }),
    (err: unknown) => err instanceof NginxParseError && err.message.includes(`cannot read "${join(missing, 'proxy_params')}": no such file`) && err.line === 2,
  );
});

test('an error inside an included file names that file, absolute, with its own line', () => {
  const dir = tree({ 'nginx.conf': 'include bad.conf;\n', 'bad.conf': 'upstream u {\n  server 127.0.0.1:1 weight=0;\n}\n' });
  assert.throws(
    () => toSwitchyardOptions({ nginx: join(dir, 'nginx.conf') }),
    (err: unknown) => err instanceof NginxParseError && err.message.startsWith(`${join(dir, 'bad.conf')}: `) && err.line === 2 && /weight/.test(err.message),
  );
});

test('configuration text: includes come from `files`, globs match their names; a missing one is an error saying how to pass it', () => {
  const text = 'upstream app { include upstream.d/*.servers; }\nserver { location / { include proxy_params; proxy_pass http://app; } }\n';
  const { options } = parseNginxConfig(text, {
    files: {
      'upstream.d/1.servers': 'server 127.0.0.1:8001;',
      'upstream.d/2.servers': 'server 127.0.0.1:8002 backup;',
      proxy_params: 'proxy_connect_timeout 3s;',
    },
  });
  assert.deepEqual(options.upstreams.app, { servers: ['http://127.0.0.1:8001', { url: 'http://127.0.0.1:8002', backup: true }] });
  assert.deepEqual(options.locations?.['/'], { upstream: 'app', headerDefaults: 'nginx', timeouts: { connect: '3s' } });

  assert.throws(
    () => parseNginxConfig('server {\n  location / { include proxy_params; proxy_pass http://127.0.0.1:1; }\n}\n'),
    (err: unknown) => err instanceof NginxParseError && err.line === 2 && err.message.includes("files: { 'proxy_params'") && err.message.includes('{ nginx:'),
  );
  // mime.types alone is harmless: a warning.
  const { warnings } = parseNginxConfig('http { include mime.types; server { location / { proxy_pass http://127.0.0.1:1; } } }');
  assert.deepEqual(warnings, ['line 1: "include mime.types" ignored (MIME types only; the framework sets Content-Type itself)']);
});

test('a file that includes itself ends with an error naming the depth, not a hung process', () => {
  const dir = tree({ 'nginx.conf': 'include loop.conf;\n', 'loop.conf': 'include loop.conf;\n' });
  assert.throws(() => toSwitchyardOptions({ nginx: join(dir, 'nginx.conf') }), /nested deeper than 8 includes/);
  assert.throws(() => parseNginxConfig('include a;', { files: { a: 'include a;' } }), /nested deeper than 8 includes/);
});

test('too many included files or bytes are refused', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`u/${String(i).padStart(3, '0')}`] = '';
  assert.throws(() => parseNginxConfig('include u/*;', { files }), /more than 256 included files/);
  assert.throws(() => parseNginxConfig('include a; include a;', { files: { a: `#${'x'.repeat(3 * 1024 * 1024)}` } }), /more than 4194304 bytes/);
});
