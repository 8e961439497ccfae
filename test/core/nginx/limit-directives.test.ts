/** @module The import of limit_req(_zone), limit_conn(_zone), allow/deny, auth_basic(_user_file), satisfy: the options produced with nginx's inheritance, the errors nginx would give with their line, and nested client_max_body_size. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NginxParseError, parseNginxConfig } from '@switchyard/core';

const POOL = 'upstream u { server 127.0.0.1:9000; }\n';

function throwsAt(text: string, line: number, message: RegExp): void {
  assert.throws(
    () => parseNginxConfig(text),
    (err: unknown) => {
      assert.ok(err instanceof NginxParseError, String(err));
      assert.equal(err.line, line, err.message);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('zones become limitZones; http, server and location directives merge as nginx (an inner level with its own replaces the outer)', () => {
  const { options, warnings } = parseNginxConfig(`${POOL}http {
  limit_req_zone $binary_remote_addr zone=one:10m rate=5r/s;
  limit_conn_zone $binary_remote_addr zone=addr:1m;
  limit_req zone=one burst=10;
  deny 192.0.2.1;
  server {
    limit_conn addr 10;
    limit_req_status 429;
    location / { proxy_pass http://u; }
    location /api/ { proxy_pass http://u; limit_req zone=one burst=20 delay=5; allow 10.0.0.0/8; deny all; }
  }
}`);
  assert.deepEqual(warnings, []);
  assert.deepEqual(options.limitZones, {
    one: { kind: 'requests', key: '$binary_remote_addr', rate: '5r/s', size: '10m' },
    addr: { kind: 'connections', key: '$binary_remote_addr', size: '1m' },
  });
  assert.deepEqual(options.locations?.['/'] && (options.locations['/'] as { limits?: unknown }).limits, {
    requests: [{ zone: 'one', burst: 10 }],
    access: [{ deny: '192.0.2.1' }],
    connections: [{ zone: 'addr', max: 10 }],
    requestStatus: 429,
  });
  assert.deepEqual((options.locations?.['/api/'] as { limits?: unknown }).limits, {
    requests: [{ zone: 'one', burst: 20, delay: 5 }],
    access: [{ allow: '10.0.0.0/8' }, { deny: 'all' }],
    connections: [{ zone: 'addr', max: 10 }],
    requestStatus: 429,
  });
});

test('auth_basic and auth_basic_user_file merge separately; "off" inside; the file is read now (relative to the config directory)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-auth-import-'));
  try {
    writeFileSync(join(dir, 'users'), 'ann:{PLAIN}pw\n');
    const { options } = parseNginxConfig(
      `${POOL}server {
  auth_basic_user_file users;
  location / { proxy_pass http://u; auth_basic "Team"; satisfy any; allow 10.0.0.1;
    location /open/ { proxy_pass http://u; auth_basic off; } }
}`,
      { baseDir: dir },
    );
    const root = options.locations?.['/'] as { limits?: Record<string, unknown>; locations?: Record<string, { limits?: unknown }> };
    assert.deepEqual(root.limits, { satisfy: 'any', access: [{ allow: '10.0.0.1' }], basicAuth: { realm: 'Team', userFile: join(dir, 'users') } });
    assert.deepEqual(root.locations?.['/open/']?.limits, { basicAuth: false });
    throwsAt(
      `${POOL}server {\n  location / { proxy_pass http://u; auth_basic "T";\n auth_basic_user_file missing; }\n}`,
      4,
      /auth_basic_user_file missing.*cannot be read/,
    );
    writeFileSync(join(dir, 'bad'), 'ann:{PLAIN}pw\nbob:$y$j9T$abc$def\n');
    throwsAt(`${POOL}server { location / { proxy_pass http://u; auth_basic_user_file ${join(dir, 'bad')}; } }`, 2, /line 2 of .*yescrypt/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what nginx refuses is an error at its line', () => {
  const site = (body: string): string => `${POOL}server {\n  location / { proxy_pass http://u;\n${body}\n  }\n}\n`;
  throwsAt(site('limit_req zone=nope;'), 4, /zero size shared memory zone "nope"/);
  throwsAt(`limit_req_zone $binary_remote_addr zone=one:10m rate=fast;\n${site('')}`, 1, /invalid rate "rate=fast"/);
  throwsAt(`limit_req_zone $binary_remote_addr zone=one:1k rate=1r/s;\n${site('')}`, 1, /zone "zone=one:1k" is too small/);
  throwsAt(`limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;\n${site('limit_req zone=one burst=0;')}`, 5, /invalid burst value/);
  throwsAt(
    `limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;\n${site('limit_req zone=one;\nlimit_req zone=one;')}`,
    6,
    /"limit_req" directive is duplicate/,
  );
  throwsAt(`limit_conn_zone $binary_remote_addr zone=one:1m;\n${site('limit_req zone=one;')}`, 5, /already declared for a different use/);
  throwsAt(`limit_conn_zone $binary_remote_addr zone=a:1m;\n${site('limit_conn a 0;')}`, 5, /invalid number of connections "0"/);
  throwsAt(site('limit_req_status 200;'), 4, /value must be between 400 and 599/);
  throwsAt(site('allow 10.0.0.0/40;'), 4, /invalid parameter "10.0.0.0\/40"/);
  throwsAt(site('satisfy maybe;'), 4, /invalid value "maybe" in "satisfy"/);
  throwsAt(
    `${POOL}server { limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s; location / { proxy_pass http://u; } }`,
    2,
    /"limit_req_zone" directive is not allowed here/,
  );
});

test('client_max_body_size of a nested location is imported (it was read for top-level locations only)', () => {
  const { options, warnings } = parseNginxConfig(`${POOL}server {
  client_max_body_size 10m;
  location / { proxy_pass http://u;
    location /up/ { proxy_pass http://u; client_max_body_size 100m; location /up/small/ { proxy_pass http://u; client_max_body_size 1k; } }
    location /same/ { proxy_pass http://u; }
  }
}`);
  assert.deepEqual(warnings, []);
  const root = options.locations?.['/'] as {
    maxBodySize?: string;
    locations?: Record<string, { maxBodySize?: string; locations?: Record<string, { maxBodySize?: string }> }>;
  };
  assert.equal(options.maxBodySize, '1m');
  assert.equal(root.maxBodySize, '10m');
  assert.equal(root.locations?.['/up/']?.maxBodySize, '100m');
  assert.equal(root.locations?.['/up/']?.locations?.['/up/small/']?.maxBodySize, '1k');
  assert.equal(root.locations?.['/same/']?.maxBodySize, undefined, 'inherits the enclosing location');
});
