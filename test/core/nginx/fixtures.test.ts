/** @module Every nginx fixture parses to exactly these options and warnings, and the options pass config validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';
import { resolveConfig } from '../../../packages/core/src/config/index.js';
import type { NginxParseResult } from '@switchyard/core';

const dir = new URL('../../fixtures/nginx/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const local = (ports: number[]): string[] => ports.map((p) => `http://localhost:${p}`);

const expected: Record<string, NginxParseResult> = {
  'three-servers.conf': {
    options: {
      upstreams: { backend: { servers: local([8000, 8001, 8002]) } },
      maxBodySize: '1m',
      locations: { '/': { upstream: 'backend', headerDefaults: 'nginx' } },
    },
    warnings: [],
  },
  'four-servers-http.conf': {
    options: {
      upstreams: { myproject: { servers: local([8000, 8001, 8002, 8003]) } },
      maxBodySize: '1m',
      locations: { '/': { upstream: 'myproject', headerDefaults: 'nginx' } },
    },
    warnings: [],
  },
  'server-pool.conf': {
    options: {
      upstreams: { server_pool: { servers: local([8000, 8001, 8002, 8003]) } },
      maxBodySize: '1m',
      locations: { '/static/': { root: '/srv/app' }, '/': { upstream: 'server_pool', headerDefaults: 'nginx' } },
    },
    warnings: [],
  },
  'weighted-failover.conf': {
    options: {
      upstreams: {
        app: {
          balance: 'least-conn',
          servers: [
            { url: 'http://10.0.0.11:8080', weight: 5, maxFails: 3, failTimeout: '30s' },
            { url: 'http://10.0.0.12:8080', weight: 1, maxConns: 100 },
            { url: 'http://10.0.0.13:8080', backup: true },
            { url: 'http://10.0.0.14:8080', down: true },
          ],
          keepalive: 16,
        },
        cache: {
          balance: 'hash',
          hash: { key: '$request_uri', consistent: true },
          servers: ['http://10.0.1.1:6081', { url: 'http://10.0.1.2:6081', weight: 2 }],
        },
      },
      maxBodySize: '1m',
      locations: {
        '= /healthz': { return: { status: 200, body: 'ok' } },
        '^~ /assets/': { upstream: 'cache', headerDefaults: 'nginx' },
        '/api/': {
          upstream: 'app',
          headerDefaults: 'nginx',
          rewritePrefix: '/v1/',
          headers: { 'X-Request-Start': 't=${msec}' },
          retry: { on: ['error', 'timeout', 502, 503], tries: 2 },
          timeouts: { connect: '2s', read: '30s' },
        },
        '~* \\.(png|jpg)$': { upstream: 'cache', headerDefaults: 'nginx' },
      },
    },
    warnings: [],
  },
  'full-http.conf': {
    options: {
      upstreams: {
        sessions: {
          servers: [
            'http://10.1.0.1:3000',
            {
              url: 'http://10.1.0.2:3000',
              maxFails: 0,
            },
            {
              url: 'http://[fd00::3]:3000',
              down: true,
            },
          ],
          balance: 'ip-hash',
        },
        sampled: {
          servers: [
            {
              url: 'http://app1.internal',
              weight: 3,
              slowStart: '30s',
            },
            {
              url: 'http://app2.internal',
              drain: true,
            },
          ],
          balance: 'random-two',
          keepalive: 8,
        },
        timed: {
          servers: [
            {
              url: 'https://10.2.0.1:9000',
              failTimeout: '1m30s',
            },
            'https://10.2.0.2:9000',
          ],
          balance: 'least-time',
          healthCheck: {
            interval: '10s',
            fails: 3,
            passes: 2,
            path: '/healthz',
          },
        },
        '127.0.0.1:8080': {
          servers: ['http://127.0.0.1:8080'],
        },
      },
      maxBodySize: '1m',
      servers: [
        {
          names: ['example.com'],
          locations: {
            '/': {
              upstream: 'sessions',
              headerDefaults: 'nginx',
              headers: {
                Host: '$host',
                'X-Forwarded-For': '$proxy_add_x_forwarded_for',
              },
              retry: {
                on: ['error', 'timeout', 503],
                nonIdempotent: true,
              },
              timeouts: {
                connect: '5s',
              },
            },
            '/ws/': {
              upstream: 'sessions',
              headerDefaults: 'nginx',
              retry: {
                on: ['error', 'timeout', 503],
                nonIdempotent: true,
              },
              timeouts: {
                connect: '5s',
                read: '1h',
              },
            },
            '= /login': {
              upstream: 'sampled',
              rewritePrefix: '/auth/login',
              headerDefaults: 'nginx',
              headers: {
                'X-Env': 'prod',
              },
              retry: {
                on: [],
              },
              timeouts: {
                connect: '5s',
              },
            },
            '^~ /reports/': {
              upstream: 'timed',
              rewritePrefix: '/',
              headerDefaults: 'nginx',
              headers: {
                Host: '$host',
                'X-Forwarded-For': '$proxy_add_x_forwarded_for',
              },
              retry: {
                on: ['error', 'timeout', 503],
                nonIdempotent: true,
                timeout: '10s',
              },
              timeouts: {
                connect: '5s',
                send: '20s',
              },
            },
            '~ ^/legacy/': {
              upstream: '127.0.0.1:8080',
              headerDefaults: 'nginx',
              headers: {
                Host: '$host',
                'X-Forwarded-For': '$proxy_add_x_forwarded_for',
              },
              retry: {
                on: ['error', 'timeout', 503],
                nonIdempotent: true,
              },
              timeouts: {
                connect: '5s',
              },
            },
          },
        },
        {
          names: [],
          default: true,
          return: {
            status: 301,
            url: 'https://$host$request_uri',
          },
        },
      ],
      accelRedirect: true,
      absoluteRedirect: true,
      redirect: 'default',
      underscoresInHeaders: false,
      trustProxy: ['10.0.0.0/8'],
    },
    warnings: [
      `line 3: "worker_processes" ignored (about nginx's own process; Node runs switchyard)`,
      `line 5: "events" ignored (about nginx's own process; Node runs switchyard)`,
      'line 10: "include mime.types" ignored (MIME types only; the framework sets Content-Type itself)',
      'line 11: "map $http_upgrade $connection_upgrade" ignored (nothing imported uses it)',
      'line 26: "zone" ignored (switchyard keeps pool state in the process; no shared memory zone is needed)',
      'line 37: "keepalive_timeout" ignored (switchyard\'s upstream agent manages idle connection lifetime)',
      'line 41: "least_time last_byte" uses the time to the response header: switchyard averages header times',
      'line 47: "listen ... ssl" and the ssl_* directives of server blocks are not imported: TLS must be terminated by the Node server (https.createServer, or Fastify\'s https option), and $scheme (of a "return", and X-Forwarded-Proto unless a trusted proxy sent one) is that connection\'s: https only where Node terminates TLS',
      'line 56: "proxy_http_version 1.1" ignored (switchyard always speaks HTTP/1.1 with keep-alive to upstreams)',
      'line 57: "proxy_set_header Upgrade" ignored (switchyard proxies WebSocket upgrades itself)',
      'line 58: "proxy_set_header Connection" ignored (switchyard proxies WebSocket upgrades itself)',
      'line 69: upstream "timed" is reached over https: switchyard verifies its certificate (nginx does only with "proxy_ssl_verify on"); add proxy_ssl_trusted_certificate for a private CA, or "proxy_ssl_verify off" to keep nginx\'s behaviour',
      'line 77: "proxy_buffering" ignored (switchyard streams responses already: it never buffers a response body, as nginx does with proxy_buffering off)',
    ],
  },
};

test('every .conf fixture has an expectation', () => {
  const confs = readdirSync(dir)
    .filter((f) => f.endsWith('.conf'))
    .sort();
  assert.deepEqual(confs, Object.keys(expected).sort());
});

for (const [name, want] of Object.entries(expected)) {
  test(`${name}: options and warnings`, () => {
    // With locations the import writes nginx's defaults: X-Accel-Redirect followed, absolute slash redirect.
    const options =
      want.options.locations === undefined
        ? want.options
        : { ...want.options, accelRedirect: true, absoluteRedirect: true, redirect: 'default', underscoresInHeaders: false };
    const got = parseNginxConfig(read(name));
    assert.deepEqual({ options: got.options, warnings: got.warnings }, { ...want, options });
    // The structured notes say the same, one for one.
    assert.deepEqual(
      got.notes?.map((n) => `line ${n.line}: ${n.text}`),
      got.warnings,
    );
  });

  test(`${name}: options pass resolveConfig`, () => {
    const { options, warnings } = parseNginxConfig(read(name));
    const config = resolveConfig(options, warnings);
    assert.deepEqual([...config.upstreams.keys()].sort(), Object.keys(want.options.upstreams).sort());
    // With virtual hosts, `config.locations` lists every host's locations in order.
    const keys =
      want.options.servers !== undefined ? want.options.servers.flatMap((s) => Object.keys(s.locations ?? {})) : Object.keys(want.options.locations ?? {});
    assert.deepEqual(
      config.locations.map((l) => l.key),
      keys,
    );
    assert.deepEqual(config.warnings, want.warnings);
  });
}

test('weighted-failover.conf resolves to the documented semantics', () => {
  const { options, warnings } = parseNginxConfig(read('weighted-failover.conf'));
  const config = resolveConfig(options, warnings);
  const app = config.upstreams.get('app');
  assert.ok(app);
  assert.equal(app.balance, 'least-conn');
  assert.equal(app.keepalive, 16);
  assert.deepEqual(
    app.servers.map((s) => [s.weight, s.maxFails, s.failTimeoutMs, s.backup, s.down, s.maxConns]),
    [
      [5, 3, 30_000, false, false, 0],
      [1, 1, 10_000, false, false, 100],
      [1, 1, 10_000, true, false, 0],
      [1, 1, 10_000, false, true, 0],
    ],
  );
  const api = config.locations.find((l) => l.key === '/api/');
  assert.ok(api);
  assert.equal(api.rewritePrefix, '/v1/');
  assert.deepEqual([...api.retry.onStatus].sort(), [502, 503]);
  assert.equal(api.retry.onError && api.retry.onTimeout, true);
  assert.equal(api.retry.tries, 2);
  assert.equal(api.timeouts.connectMs, 2000);
  assert.equal(api.timeouts.readMs, 30_000);
  assert.equal(config.upstreams.get('cache')?.hash?.consistent, true);
});
