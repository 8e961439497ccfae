/** @module nginx import of dynamic pools: `resolver`, `resolver_timeout`, `server ... resolve`, `service=`, `zone` ignored with a warning. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, parseNginxConfig, SwitchyardConfigError } from '@switchyard/core';

const CONFIG = `
http {
  resolver 127.0.0.1:5353 [::1]:5353 valid=30s ipv6=off;
  resolver_timeout 2s;
  upstream api {
    zone api 64k;
    server api.internal:8080 resolve weight=2 max_fails=3;
    server 10.0.0.9:8080 backup;
  }
  upstream srv {
    zone srv 64k;
    resolver 10.0.0.2;
    server backend.internal service=http resolve;
  }
  server {
    listen 80;
    location /api/ { proxy_pass http://api; }
    location /srv/ { proxy_pass http://srv; }
  }
}`;

test('resolver, resolver_timeout, resolve and service= map onto switchyard options; zone is a warning', () => {
  const parsed = parseNginxConfig(CONFIG);
  assert.deepEqual(parsed.options.resolver, { servers: ['127.0.0.1:5353', '[::1]:5353'], valid: '30s', ipv6: false, timeout: '2s' });
  assert.deepEqual(parsed.options.upstreams.api, {
    servers: [
      { url: 'http://api.internal:8080', resolve: true, weight: 2, maxFails: 3 },
      { url: 'http://10.0.0.9:8080', backup: true },
    ],
  });
  assert.deepEqual(parsed.options.upstreams.srv, {
    servers: [{ url: 'http://backend.internal', service: 'http', resolve: true }],
    resolver: { servers: ['10.0.0.2'] },
  });
  assert.ok(parsed.warnings.some((w) => /^line 6: "zone" ignored/.test(w)));
  assert.ok(parsed.warnings.some((w) => /^line 11: "zone" ignored/.test(w)));

  // The result validates: the names and the SRV lookup go to discovery, the fixed server to the pool.
  const sy = createSwitchyard(parsed);
  try {
    const api = sy.config.upstreams.get('api')!;
    assert.deepEqual(
      api.servers.map((s) => s.url),
      ['http://10.0.0.9:8080'],
    );
    assert.deepEqual(
      api.dynamic?.names.map((n) => [n.hostname, n.srv, n.template.weight]),
      [['api.internal', undefined, 2]],
    );
    assert.deepEqual(api.dynamic?.resolver, { servers: ['127.0.0.1:5353', '[::1]:5353'], validMs: 30_000, timeoutMs: 2000, ipv4: true, ipv6: false });
    const srv = sy.config.upstreams.get('srv')!;
    assert.deepEqual(
      srv.dynamic?.names.map((n) => n.srv),
      ['_http._tcp.backend.internal'],
    );
    // The upstream's own resolver overrides the servers field by field; the rest comes from http {}.
    assert.deepEqual(srv.dynamic?.resolver, { servers: ['10.0.0.2'], validMs: 30_000, timeoutMs: 2000, ipv4: true, ipv6: false });
  } finally {
    void sy.close();
  }
});

test('resolver errors point at the directive', () => {
  assert.throws(() => parseNginxConfig('resolver valid=10s;\nupstream u { server a:1; }'), /no name servers defined in "resolver" directive \(line 1/);
  assert.throws(
    () => parseNginxConfig('resolver 10.0.0.1 ipv6=maybe;\nupstream u { server a:1; }'),
    /invalid parameter "ipv6=maybe" in "resolver" directive \(line 1, column 19\)/,
  );
  assert.throws(() => parseNginxConfig('upstream u { server a:1; resolver_timeout soon; }'), /invalid value "soon" in "resolver_timeout"/);
  // A host name as a resolver is valid nginx but not switchyard: the options check names the field.
  assert.throws(
    () => createSwitchyard({ nginx: 'resolver dns.local;\nupstream u { server a:1; }' }),
    (err: unknown) => err instanceof SwitchyardConfigError && /^resolver\.servers\[0\] must be an IP address/.test(err.message),
  );
});
