/** @module nginx import of client_max_body_size: nginx's 1m default, http/server/location inheritance, 0, and bad values refused at their line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParseError, SwitchyardConfigError } from '@switchyard/core';
import { parseNginxConfig as parseWithHeaders } from '../../../packages/core/src/nginx/index.js';

/**
 * The import with the header mode every imported location carries (`headerDefaults: 'nginx'`,
 * tested in test/core/http) left out, and nginx's redirect defaults: these tests are about hosts and limits.
 */
function parseNginxConfig(text: string): ReturnType<typeof parseWithHeaders> {
  const result = parseWithHeaders(text);
  const options = JSON.parse(JSON.stringify(result.options, (key, value: unknown) => (key === 'headerDefaults' ? undefined : value))) as typeof result.options;
  return { options, warnings: result.warnings };
}
import { createSwitchyard } from '../../../packages/core/src/switchyard.js';

const POOL = 'upstream app { server 127.0.0.1:1; }\n';

test("the http level (or nginx's 1m) is maxBodySize; a server or location that differs carries its own", () => {
  const { options, warnings } = parseNginxConfig(`http {
${POOL}client_max_body_size 10M;
server { server_name a.test; location / { proxy_pass http://app; } location /up/ { proxy_pass http://app; client_max_body_size 0; } }
server { server_name b.test; client_max_body_size 512k; location / { proxy_pass http://app; } }
}`);
  assert.deepEqual(warnings, []);
  assert.equal(options.maxBodySize, '10m');
  assert.deepEqual(options.servers?.[0]?.locations, { '/': { upstream: 'app' }, '/up/': { upstream: 'app', maxBodySize: '0' } });
  assert.deepEqual(options.servers?.[1]?.locations, { '/': { upstream: 'app', maxBodySize: '512k' } });
  const sy = createSwitchyard({ options, warnings });
  assert.deepEqual(
    sy.config.locations.map((l) => l.maxBodyBytes ?? 0),
    [10 * 1024 * 1024, 0, 512 * 1024],
  );
  void sy.close();
  assert.equal(parseNginxConfig(`${POOL}server { location / { proxy_pass http://app; } }`).options.maxBodySize, '1m');
});

test('bad client_max_body_size values are errors at their line; maxBodySize in JS options is validated', () => {
  const at = (text: string, line: number, re: RegExp): void =>
    assert.throws(
      () => parseNginxConfig(`${POOL}${text}`),
      (err: unknown) => err instanceof NginxParseError && err.line === line && re.test(err.message),
      re.source,
    );
  at('server {\nclient_max_body_size 10mb;\nlocation / { proxy_pass http://app; } }', 3, /"10mb" is an invalid value in "client_max_body_size"/);
  at(
    'server {\nclient_max_body_size 1m;\nclient_max_body_size 2m;\nlocation / { proxy_pass http://app; } }',
    4,
    /"client_max_body_size" directive is duplicate/,
  );
  const bad = (extra: object, re: RegExp): void =>
    assert.throws(
      () => createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, ...extra }),
      (err: unknown) => err instanceof SwitchyardConfigError && re.test(err.message),
      re.source,
    );
  bad({ maxBodySize: '1 MB' }, /^maxBodySize must be a size like '1m'/);
  bad({ maxBodySize: -1 }, /^maxBodySize must be a whole number of bytes/);
  bad({ locations: { '/': { upstream: 'app', maxBodySize: '1t' } } }, /^locations\["\/"\]\.maxBodySize must be a size/);
  bad({ servers: [{ maxBodySize: true, locations: { '/': 'app' } }] }, /^servers\[0\]\.maxBodySize must be a size/);
});
