/** @module Security: upstreams, locations and headers named `__proto__` or `constructor` work everywhere (status JSON, status page, Prometheus metrics, nginx import) on both adapters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../adapters/drivers/index.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { parseExposition } from '../metrics/exposition.js';
import { createSwitchyard, parseNginxConfig } from '../../packages/core/src/index.js';
import type { SwitchyardOptions } from '../../packages/core/src/types.js';

/** JSON.parse makes `__proto__` an own key, as a configuration read from a file would. */
function fromJson(text: string): SwitchyardOptions {
  return JSON.parse(text) as SwitchyardOptions;
}

for (const driver of drivers) {
  describe(`${driver.name}: pools named __proto__ and constructor`, () => {
    it('take traffic and appear in the status JSON, the status page and the metrics', async (t) => {
      const [a, b] = await backendsFor(t, 2);
      if (!a || !b) throw new Error('backends');
      const options = fromJson(
        JSON.stringify({
          upstreams: { ['__proto__']: [a.url], constructor: [b.url] },
          locations: { '/p/': '__proto__', '/c/': { upstream: 'constructor', headers: { 'X-Pool': 'constructor' } } },
          status: { path: '/_status' },
          metrics: { path: '/_metrics' },
        }),
      );
      assert.ok(Object.hasOwn(options.upstreams, '__proto__'));
      const proxy = await startProxy(t, driver, options);
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/p/${i}`)).body, 'Server 1');
      for (let i = 0; i < 2; i++) assert.equal((await call(`${proxy.url}/c/${i}`)).body, 'Server 2');
      assert.equal(b.seen[0]?.headers['x-pool'], 'constructor');

      const json = await call(`${proxy.url}/_status`);
      assert.equal(json.status, 200);
      const snapshot = JSON.parse(json.body) as { upstreams: Record<string, { servers: Array<{ url: string; requests: number }> }> };
      assert.deepEqual(Object.keys(snapshot.upstreams), ['__proto__', 'constructor']);
      assert.ok(Object.hasOwn(snapshot.upstreams, '__proto__'));
      assert.deepEqual(
        snapshot.upstreams['__proto__']?.servers.map((s) => [s.url, s.requests]),
        [[a.url, 3]],
      );
      assert.deepEqual(
        snapshot.upstreams['constructor']?.servers.map((s) => [s.url, s.requests]),
        [[b.url, 2]],
      );

      const html = await call(`${proxy.url}/_status`, { headers: { accept: 'text/html' } });
      assert.match(html.body, /<section class="pool" data-upstream="__proto__">/);
      assert.match(html.body, /<section class="pool" data-upstream="constructor">/);

      const m = parseExposition((await call(`${proxy.url}/_metrics`)).body);
      assert.equal(m.value('switchyard_upstream_requests_total', { upstream: '__proto__', server: a.url, code_class: '2xx' }), 3);
      assert.equal(m.value('switchyard_upstream_requests_total', { upstream: 'constructor', server: b.url, code_class: '2xx' }), 2);
      assert.equal(m.value('switchyard_upstream_server_up', { upstream: '__proto__', server: a.url }), 1);
    });

    it('an nginx file with upstream __proto__ is imported and served', async (t) => {
      const [a] = await backendsFor(t, 1);
      if (!a) throw new Error('backends');
      const port = new URL(a.url).port;
      const proxy = await startProxy(t, driver, {
        nginx: `upstream __proto__ { server 127.0.0.1:${port}; }\nserver {\n  location / { proxy_pass http://__proto__; }\n}\n`,
        status: { path: '/_status' },
      });
      assert.equal((await call(`${proxy.url}/x`)).body, 'Server 1');
      const snapshot = JSON.parse((await call(`${proxy.url}/_status`)).body) as { upstreams: Record<string, { servers: Array<{ requests: number }> }> };
      assert.deepEqual(Object.keys(snapshot.upstreams), ['__proto__']);
      assert.equal(snapshot.upstreams['__proto__']?.servers[0]?.requests, 1);
    });
  });
}

describe('nginx import of __proto__ names', () => {
  it('keeps upstream __proto__, proxy_set_header __proto__ and warns about location __proto__', () => {
    const { options, warnings } = parseNginxConfig(
      [
        'upstream __proto__ { server 127.0.0.1:1; }',
        'upstream constructor { server 127.0.0.1:2; }',
        'server {',
        '  location __proto__ { proxy_pass http://constructor; }',
        '  location / { proxy_pass http://__proto__; proxy_set_header __proto__ x; proxy_set_header constructor y; }',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(Object.keys(options.upstreams), ['__proto__', 'constructor']);
    assert.deepEqual(Object.keys(options.locations ?? {}), ['/']);
    const root = options.locations?.['/'];
    assert.ok(typeof root === 'object');
    assert.deepEqual(Object.entries(root.headers ?? {}), [
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    assert.deepEqual(warnings, ['line 4: location "__proto__" ignored: its path does not start with "/", so no request can match it']);
    // Resolved as configured: the header survives validation under its own name.
    const sy = createSwitchyard({ options, warnings });
    assert.deepEqual(Object.entries(sy.config.locations[0]!.headers), [
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    assert.deepEqual(Object.keys(sy.status().upstreams), ['__proto__', 'constructor']);
  });

  it('directive and modifier names from Object.prototype are unknown, not functions', () => {
    assert.throws(() => parseNginxConfig('upstream a { constructor; server 127.0.0.1:1; }'), /unknown directive "constructor" in upstream "a" \(line 1/);
    assert.throws(() => parseNginxConfig('server { location constructor /x { proxy_pass http://h; } }'), /invalid location modifier "constructor"/);
    assert.throws(() => parseNginxConfig('server { location __proto__ /x { proxy_pass http://h; } }'), /invalid location modifier "__proto__"/);
    assert.throws(
      () => parseNginxConfig('server { location / { proxy_pass http://h; proxy_next_upstream constructor; } }'),
      /invalid value "constructor" in "proxy_next_upstream"/,
    );
    const { warnings } = parseNginxConfig('server { toString on; location / { proxy_pass http://h; } }');
    assert.deepEqual(warnings, ['line 1: "toString" ignored (not about load balancing)']);
  });
});
