/** @module Security: server urls must parse to exactly scheme://host:port(/path), and discover updates go through the same checks (weight cap, url form, size), with an input:limited event naming the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type SwitchyardEvents } from '../../packages/core/src/index.js';
import { MAX_DISCOVERED_SERVERS } from '../../packages/core/src/discovery/discover-update.js';

test('a url that does not parse to exactly scheme://host:port(/path) is an error naming the field', () => {
  const bad: Array<[string, RegExp]> = [
    ['http//127.0.0.11:9001', /servers\[0\] must be an http\(s\) url .*did you mean 'http:\/\/127\.0\.0\.11:9001'/],
    ['127.0.0.1:80/base', /without a scheme only host:port, no path/],
    ['http://10.6.6.6:80/%%', /valid %XX escapes/],
    ['http://127.1:80', /host written as the parser reads it \('127\.0\.0\.1'\)/],
    ['http://h:0', /port must be a number 1-65535/],
    ['http://h//x', /base path/],
  ];
  for (const [url, message] of bad) {
    assert.throws(
      () => createSwitchyard({ upstreams: { api: [url] } }),
      (err: unknown) => err instanceof Error && message.test(err.message),
      url,
    );
  }
  for (const url of ['127.0.0.1:8080', 'http://api.internal:80/base/%41', 'https://[::1]:8443', 'host']) {
    const sy = createSwitchyard({ upstreams: { api: [url] } });
    void sy.close();
  }
});

test('discover updates are checked like the configuration: weight, url and size, each refusal an input:limited event', async () => {
  let update: (servers: unknown) => void = () => {};
  const sy = createSwitchyard({
    upstreams: {
      api: { discover: ({ update: u }) => void (update = u as (s: unknown) => void), balance: 'hash', hash: { key: '$request_uri', consistent: true } },
    },
  });
  const limited: Array<SwitchyardEvents['input:limited']> = [];
  sy.on('input:limited', (e) => limited.push(e));
  assert.throws(() => update([{ url: 'http://127.0.0.1:1', weight: 5_000_000 }]), /update\(servers\)\[0\]\.weight must be at most 1000/);
  assert.throws(() => update(['http//127.0.0.11:9001']), /did you mean/);
  assert.throws(
    () => update(Array.from({ length: MAX_DISCOVERED_SERVERS + 1 }, (_, i) => `http://10.0.${i >> 8}.${i & 255}:${1000 + (i >> 16)}`)),
    /at most 10000 servers/,
  );
  assert.deepEqual(
    limited.map((e) => [e.source, e.field, e.action]),
    [
      ['discover', 'upstreams.api.discover: update(servers)[0].weight', 'refused'],
      ['discover', 'upstreams.api.discover: update(servers)[0]', 'refused'],
      ['discover', 'upstreams.api.discover: update(servers)', 'refused'],
    ],
  );
  assert.equal(sy.upstream('api').servers().length, 0);
  // 1,000 servers of weight 1000 are valid: the ring is bounded (hash-ring-bound.test.ts) and picks work.
  update(Array.from({ length: 1000 }, (_, i) => ({ url: `http://10.1.${i >> 8}.${i & 255}:80`, weight: 1000 })));
  assert.equal(sy.upstream('api').servers().length, 1000);
  const p = sy.upstream('api').pick({ key: '/k' });
  assert.ok(p !== undefined);
  p.release({ status: 200 });
  await sy.close();
});

test('durations that become timers are clamped to 2^31-1 ms (a longer setTimeout would fire after 1 ms)', async () => {
  const sy = createSwitchyard({
    upstreams: {
      api: { servers: ['http://127.0.0.1:1'], timeouts: { read: '30d', connect: '30d' }, retry: { timeout: '60d' }, healthCheck: { interval: '30d' } },
    },
    closeTimeout: '40d',
  });
  const api = sy.config.upstreams.get('api')!;
  const max = 2 ** 31 - 1;
  assert.deepEqual(
    [api.timeouts.readMs, api.timeouts.connectMs, api.retry.timeoutMs, api.healthCheck!.intervalMs, sy.config.closeTimeoutMs],
    [max, max, max, max, max],
  );
  // Not a timer: a failure window may be as long as written.
  const long = createSwitchyard({ upstreams: { api: [{ url: 'http://127.0.0.1:1', failTimeout: '30d' }] } });
  assert.equal(long.config.upstreams.get('api')!.servers[0]!.failTimeoutMs, 30 * 86_400_000);
  await sy.close();
  await long.close();
});
