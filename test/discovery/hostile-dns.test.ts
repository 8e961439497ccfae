/** @module Hostile or odd DNS answers from a real server (node:dgram): AAAA refused, a TTL above setTimeout's range, SRV weights of 65535. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachStateLogger, createSwitchyard, MAX_WEIGHT, type SwitchyardEvents } from '@switchyard/core';
import { startTinyDns } from './support/tiny-dns.js';
import { MAX_LOOKUP_INTERVAL_MS } from '../../packages/core/src/discovery/name-watch.js';

function lines(): { logger: { info: (m: string) => void; warn: (m: string) => void; error: (m: string) => void }; all: string[] } {
  const all: string[] = [];
  const push = (m: string): void => void all.push(m);
  return { logger: { info: push, warn: push, error: push }, all };
}

test('a resolver that answers A but refuses AAAA keeps the A addresses, and says so once at start', async (t) => {
  const dns = await startTinyDns({ a: { 'api.test': ['127.0.0.2', '127.0.0.3'] }, refuse: ['AAAA'] });
  t.after(() => dns.stop());
  const sy = createSwitchyard({
    upstreams: { api: { servers: [{ url: 'http://api.test:8080', resolve: true }], resolver: { servers: [dns.address], timeout: '2s' } } },
  });
  t.after(() => sy.close());
  const log = lines();
  attachStateLogger(sy, log.logger);
  const answers: Array<SwitchyardEvents['discovery:answer']> = [];
  sy.on('discovery:answer', (e) => answers.push(e));
  await sy.ready();
  assert.deepEqual(
    sy
      .upstream('api')
      .servers()
      .map((s) => s.url),
    ['http://127.0.0.2:8080', 'http://127.0.0.3:8080'],
  );
  assert.ok(dns.queries('api.test', 'AAAA') >= 1);
  assert.equal(answers.length, 1);
  assert.deepEqual(answers[0]!.answer, ['127.0.0.2', '127.0.0.3']);
  assert.match(answers[0]!.error ?? '', /AAAA lookup: .*EREFUSED.*the A answer is used/);
  assert.ok(log.all.some((l) => /^switchyard: api api\.test resolved to 127\.0\.0\.2, 127\.0\.0\.3; AAAA lookup: .*EREFUSED/.test(l)));
  const status = sy.status().upstreams.api!.resolver![0]!;
  assert.match(status.error ?? '', /EREFUSED/);
  const pick = sy.upstream('api').pick();
  assert.ok(pick !== undefined);
  pick.release({ status: 200 });
});

test('a name that fails at start says why once (not only "no live upstream")', async (t) => {
  const dns = await startTinyDns({ a: {}, refuse: ['A', 'AAAA'] });
  t.after(() => dns.stop());
  const sy = createSwitchyard({
    upstreams: { api: { servers: [{ url: 'http://gone.test:8080', resolve: true }], resolver: { servers: [dns.address], timeout: '2s' } } },
  });
  t.after(() => sy.close());
  const log = lines();
  attachStateLogger(sy, log.logger);
  await sy.ready();
  const said = log.all.filter((l) => l.includes('gone.test resolved to'));
  assert.equal(said.length, 1);
  assert.match(said[0]!, /^switchyard: api gone\.test resolved to nothing; A lookup: .*EREFUSED/);
});

test('a TTL above setTimeout range waits 2^31-1 ms (no lookup loop, no overflow warning) and the status says so', async (t) => {
  // 3,000,000 s: 3e9 ms, above 2^31-1, which setTimeout would have turned into 1 ms.
  const dns = await startTinyDns({ a: { 'long.test': ['127.0.0.2'], 'short.test': ['127.0.0.3'] }, ttl: 3_000_000 });
  const shortDns = await startTinyDns({ a: { 'short.test': ['127.0.0.3'] }, ttl: 1 });
  t.after(() => dns.stop());
  t.after(() => shortDns.stop());
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const sy = createSwitchyard({
    upstreams: {
      long: { servers: [{ url: 'http://long.test:80', resolve: true }], resolver: { servers: [dns.address], ipv6: false } },
      short: { servers: [{ url: 'http://short.test:80', resolve: true }], resolver: { servers: [shortDns.address], ipv6: false } },
      valid: { servers: [{ url: 'http://long.test:81', resolve: true }], resolver: { servers: [dns.address], ipv6: false, valid: '30d' } },
    },
  });
  t.after(() => sy.close());
  await sy.ready();
  const before = Date.now();
  for (const name of ['long', 'valid']) {
    const next = sy.status().upstreams[name]!.resolver![0]!.nextLookupAt!;
    assert.ok(next - before <= MAX_LOOKUP_INTERVAL_MS + 1000, `${name}: next lookup in ${next - before} ms`);
    assert.ok(next - before >= MAX_LOOKUP_INTERVAL_MS - 60_000, `${name}: next lookup in ${next - before} ms`);
  }
  // The 1 s name is looked up twice more: the long ones would have been asked thousands of times by then.
  await shortDns.queried('short.test', 'A', 3);
  assert.equal(dns.queries('long.test', 'A'), 2);
  assert.deepEqual(
    warnings.filter((w) => w === 'TimeoutOverflowWarning'),
    [],
  );
});

test('SRV weights of 65535 are capped at MAX_WEIGHT with an input:limited event; a consistent-hash pool of 14 such records starts', async (t) => {
  const targets = Array.from({ length: 14 }, (_, i) => ({ priority: 0, weight: 65535, port: 8000 + i, target: `t${i}.test` }));
  const a: Record<string, string[]> = {};
  targets.forEach((r, i) => (a[r.target] = [`127.0.1.${i + 1}`]));
  const dns = await startTinyDns({ a, srv: { '_http._tcp.svc.test': targets }, ttl: 30 });
  t.after(() => dns.stop());
  const limited: Array<SwitchyardEvents['input:limited']> = [];
  const sy = createSwitchyard({
    upstreams: {
      api: {
        servers: [{ url: 'http://svc.test', resolve: true, service: 'http' }],
        resolver: { servers: [dns.address], ipv6: false },
        balance: 'hash',
        hash: { key: '$request_uri', consistent: true },
      },
    },
  });
  t.after(() => sy.close());
  sy.on('input:limited', (e) => limited.push(e));
  await sy.ready();
  const servers = sy.status().upstreams.api!.servers;
  assert.equal(servers.length, 14);
  assert.ok(servers.every((s) => s.weight === MAX_WEIGHT));
  assert.equal(limited.length, 1);
  assert.equal(limited[0]!.source, 'dns');
  assert.equal(limited[0]!.field, '_http._tcp.svc.test SRV weight');
  assert.match(limited[0]!.detail, /t0\.test:8000 weight=65535.* above 1000: used as 1000/);
  const pick = sy.upstream('api').pick({ key: 'some key' });
  assert.ok(pick !== undefined);
  pick.release({ status: 200 });
});
