/** @module nginx error_page / proxy_intercept_errors / add_header / proxy_hide_header import: the hooks and options they become, read at import time, and the warnings for what cannot be mapped. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NginxParseError, type ErrorAnswer, type LocationOptions, type RequestInfo } from '@switchyard/core';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';
import { resolveConfig } from '../../../packages/core/src/config/resolve-config.js';

const REQUEST: RequestInfo = { method: 'GET', url: '/x', headers: {}, clientIp: '127.0.0.1' };

function pagesDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-error-pages-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '50x.html'), '<h1>We will be right back</h1>\n');
  writeFileSync(join(dir, 'missing.json'), '{"error":"not found"}');
  return dir;
}

function loc(text: string, key = '/'): { loc: LocationOptions; warnings: string[] } {
  const { options, warnings } = parseNginxConfig(`upstream app { server a:1; }\n${text}`);
  return { loc: options.locations?.[key] as LocationOptions, warnings };
}

function answer(l: LocationOptions, status: number, reason: 'error' | 'timeout' | 'intercepted' | 'no-live-upstream' = 'error'): ErrorAnswer | undefined {
  assert.equal(typeof l.onError, 'function');
  const out = l.onError!({ reason, status, request: REQUEST });
  return out === undefined ? undefined : { ...out, body: out.body.toString() };
}

test('error_page + proxy_intercept_errors with a static file in "location = /50x.html { root }"', (t) => {
  const dir = pagesDir(t);
  const { loc: l, warnings } = loc(
    `server {\nlocation / {\nproxy_pass http://app;\nproxy_intercept_errors on;\nerror_page 502 503 /50x.html;\n}\nlocation = /50x.html {\nroot ${dir};\n}\n}`,
  );
  assert.deepEqual(l.interceptErrors, [502, 503]);
  assert.deepEqual(answer(l, 503, 'intercepted'), {
    status: 503,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<h1>We will be right back</h1>\n',
  });
  assert.equal(answer(l, 502)?.status, 502);
  assert.equal(answer(l, 504), undefined);
  // The page's location is served as it is in nginx too (GET /50x.html answers the file).
  assert.deepEqual(warnings, []);
});

test("error_page without proxy_intercept_errors answers switchyard's own errors only; =CODE changes the status", (t) => {
  const dir = pagesDir(t);
  // No location matches the pages (a proxied `location /` would: nginx would proxy them), so the server's root serves them.
  const { loc: l } = loc(
    `server {\nroot ${dir};\nerror_page 502 504 =503 /50x.html;\nerror_page 404 /missing.json;\nlocation /app/ { proxy_pass http://app; }\n}`,
    '/app/',
  );
  assert.equal(l.interceptErrors, undefined);
  assert.equal(answer(l, 504, 'timeout')?.status, 503);
  assert.deepEqual(answer(l, 404, 'intercepted'), { status: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"not found"}' });
});

test('a "return CODE text" page, an alias, a URL redirect; the first error_page of a code wins', (t) => {
  const dir = pagesDir(t);
  const { loc: l, warnings } = loc(
    [
      'server {',
      'location / {',
      'proxy_pass http://app;',
      'proxy_intercept_errors on;',
      'error_page 503 /maintenance;',
      'error_page 502 /pages/50x.html;',
      'error_page 504 https://status.example/;',
      'error_page 503 /pages/50x.html;',
      '}',
      'location = /maintenance { return 503 "down for maintenance"; }',
      `location /pages/ { alias ${dir}/; }`,
      '}',
    ].join('\n'),
  );
  assert.deepEqual(l.interceptErrors, [503, 502, 504]);
  assert.deepEqual(answer(l, 503), { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'down for maintenance' });
  assert.equal(answer(l, 502)?.body, '<h1>We will be right back</h1>\n');
  assert.deepEqual(answer(l, 504), { status: 302, headers: { location: 'https://status.example/' }, body: '' });
  assert.ok(
    warnings.every((w) => !w.includes('error_page')),
    warnings.join('\n'),
  );
});

test('error pages switchyard cannot serve are warnings naming the line; the location still imports', (t) => {
  const dir = pagesDir(t);
  const { loc: l, warnings } = loc(
    [
      'server {',
      `root ${dir};`,
      'location /app/ {',
      'proxy_pass http://app;',
      'error_page 502 /nope.html;',
      'error_page 503 @fallback;',
      'error_page 504 /api/down;',
      'error_page 500 /$status.html;',
      '}',
      'location /api/ { proxy_pass http://app; }',
      'location @fallback { return 503; }',
      '}',
    ].join('\n'),
    '/app/',
  );
  assert.equal(l.onError, undefined);
  assert.deepEqual(
    warnings.filter((w) => w.includes('"error_page')),
    [
      `line 6: "error_page 502 /nope.html" ignored (file ${join(dir, 'nope.html')} cannot be read at import time: no such file)`,
      'line 7: "error_page 503 @fallback" ignored (switchyard does not answer an error page from a named location: the error is answered as without this error_page)',
      'line 8: "error_page 504 /api/down" ignored (/api/down is proxied; switchyard answers error pages from a file or a "return" only)',
      'line 9: "error_page 500 /$status.html" ignored (nginx variables are not expanded)',
    ],
  );
});

test('error_page values nginx refuses are errors with their position', () => {
  assert.throws(
    () => loc('server { location / { proxy_pass http://app; error_page 200 /x.html; } }'),
    (err: unknown) => err instanceof NginxParseError && /must be between 300 and 599/.test(err.message),
  );
  assert.throws(
    () => loc('server { location / { proxy_pass http://app; error_page /x.html; } }'),
    (err: unknown) => err instanceof NginxParseError && /invalid number of arguments in "error_page"/.test(err.message),
  );
  assert.throws(
    () => loc('server { location / { proxy_pass http://app; proxy_intercept_errors yes; } }'),
    (err: unknown) => err instanceof NginxParseError && /"on" or "off"/.test(err.message),
  );
});

test('add_header becomes addHeaders, inherited as a whole, run on proxied answers by the response hook; proxy_hide_header is hideHeaders', () => {
  const { options, warnings } = parseNginxConfig(
    [
      'upstream app { server a:1; }',
      'server {',
      'add_header X-Frame-Options DENY;',
      'add_header Strict-Transport-Security "max-age=63072000" always;',
      'proxy_hide_header X-Powered-By;',
      'location / { proxy_pass http://app; }',
      'location /own/ { proxy_pass http://app; add_header X-Own yes; add_header X-Uri $request_uri; add_header X-Scheme $scheme; }',
      '}',
    ].join('\n'),
  );
  // The server's list is the single-site shape's top level; a location with its own list says so.
  assert.deepEqual(options.addHeaders, [
    { name: 'x-frame-options', value: 'DENY' },
    { name: 'strict-transport-security', value: 'max-age=63072000', always: true },
  ]);
  assert.equal((options.locations?.['/'] as LocationOptions).addHeaders, undefined);
  const config = resolveConfig(options);
  const run = (key: string, status: number, input: Record<string, string | string[]>): Record<string, string | string[]> => {
    const l = config.locations.find((x) => x.key === key)!;
    const headers = { ...input };
    l.hooks!.rewriteResponseHeaders!(headers, { request: REQUEST, status });
    return headers;
  };
  assert.deepEqual((options.locations?.['/'] as LocationOptions).hideHeaders, ['x-powered-by']);
  assert.deepEqual(run('/', 200, { server: 's', 'x-frame-options': 'SAMEORIGIN' }), {
    server: 's',
    'x-frame-options': ['SAMEORIGIN', 'DENY'],
    'strict-transport-security': 'max-age=63072000',
  });
  // Without `always`, nginx adds headers to 2xx/3xx answers only.
  assert.deepEqual(run('/', 502, {}), { 'strict-transport-security': 'max-age=63072000' });
  // A level with add_header of its own drops the server's (and proxy_hide_header is still the server's); variables are expanded.
  assert.deepEqual(run('/own/', 200, {}), { 'x-own': 'yes', 'x-uri': '/x' });
  assert.deepEqual((options.locations?.['/own/'] as LocationOptions).hideHeaders, ['x-powered-by']);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /^line 7: "add_header X-Scheme" ignored \(uses the nginx variable "\$scheme", which switchyard does not have for a response header/,
  );
});
