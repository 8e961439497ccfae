/** @module nginx grpc_pass and the grpc_* directives: HTTP/2 pools (grpc:// h2c, grpcs:// h2) with the proxy_* twins' retry and timeout rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParseError, parseNginxConfig } from '@switchyard/core';

test('grpc_pass grpc:// makes an h2c pool, grpcs:// an h2 one; grpc_next_upstream and grpc_*_timeout as their proxy_* twins', () => {
  const { options, warnings } = parseNginxConfig(`
    upstream grpcservers { server 127.0.0.1:50051; server 127.0.0.1:50052; }
    upstream secure { server 127.0.0.1:50443; }
    server {
      location /helloworld.Greeter/ {
        grpc_pass grpc://grpcservers;
        grpc_next_upstream error timeout http_503 non_idempotent;
        grpc_next_upstream_tries 2;
        grpc_read_timeout 30s;
        grpc_set_header X-Trace on;
      }
      location /secure.Service/ { grpc_pass grpcs://secure; }
      location /bare/ { grpc_pass 127.0.0.1:50060; }
    }`);
  // grpcs:// is TLS like https://: verified by switchyard, as the import says.
  assert.deepEqual(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^line 12: upstream "secure" is reached over https: switchyard verifies its certificate/);
  assert.deepEqual(options.upstreams.grpcservers, { servers: ['http://127.0.0.1:50051', 'http://127.0.0.1:50052'], protocol: 'h2c' });
  assert.deepEqual(options.upstreams.secure, { servers: ['https://127.0.0.1:50443'], protocol: 'h2' });
  assert.deepEqual(options.upstreams['127.0.0.1:50060'], { servers: ['http://127.0.0.1:50060'], protocol: 'h2c' });
  assert.deepEqual(options.locations?.['/helloworld.Greeter/'], {
    upstream: 'grpcservers',
    headerDefaults: 'nginx',
    headers: { 'X-Trace': 'on' },
    retry: { on: ['error', 'timeout', 503], nonIdempotent: true, tries: 2 },
    timeouts: { read: '30s' },
  });
});

test('one pool cannot be reached with both proxy_pass and grpc_pass; grpc_pass takes no URI and no other scheme', () => {
  const throwsAt = (text: string, message: RegExp): void =>
    assert.throws(
      () => parseNginxConfig(text),
      (err: unknown) => err instanceof NginxParseError && message.test(err.message),
    );
  throwsAt('upstream u { server 127.0.0.1:1; }\nlocation /a/ { proxy_pass http://u; }\nlocation /b/ { grpc_pass grpc://u; }', /one protocol/);
  throwsAt('location /a/ { grpc_pass grpc://127.0.0.1:1/x; }', /grpc_pass takes no URI/);
  throwsAt('location /a/ { grpc_pass http://127.0.0.1:1; }', /grpc_pass takes grpc:\/\/ or grpcs:\/\//);
});
