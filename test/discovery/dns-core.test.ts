/** @module The core follows a real DNS server (dnsmasq): state kept for surviving addresses, last set kept when DNS fails, NXDOMAIN empties a name, close() ends all lookups. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attachStateLogger, createSwitchyard, SwitchyardConfigError, type Switchyard, type SwitchyardEvents } from '@switchyard/core';
import { runScript } from '../helpers/child-scripts.js';
import { startDns, type DnsServer } from './support/dnsmasq.js';

let dns: DnsServer;
before(async () => {
  dns = await startDns({ hosts: ['127.0.0.2 keep.test', '127.0.0.3 keep.test', '127.0.0.2 a.test', '127.0.0.3 gone.test'] });
});
after(async () => {
  await dns?.stop();
});

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function urls(sy: Switchyard, upstream = 'api'): string[] {
  return sy
    .upstream(upstream)
    .servers()
    .map((s) => s.url);
}

describe('resolve: true in the core', () => {
  it('keeps every counter of a surviving address when the answer changes; the new one starts fresh', async (t) => {
    const sy = createSwitchyard({
      upstreams: { api: { servers: [{ url: 'http://keep.test:8080', resolve: true, maxFails: 1, failTimeout: '1m' }], resolver: { servers: [dns.address] } } },
    });
    t.after(() => sy.close());
    await sy.ready();
    assert.deepEqual(urls(sy), ['http://127.0.0.2:8080', 'http://127.0.0.3:8080']);
    // .2 fails once (maxFails 1: failed for a minute), .3 carries one request still in flight.
    const first = sy.upstream('api').pick()!;
    const second = sy.upstream('api').pick()!;
    const onTwo = first.server.url === 'http://127.0.0.2:8080' ? first : second;
    const onThree = onTwo === first ? second : first;
    onTwo.release({ failure: 'error' });
    await dns.setHosts(['127.0.0.2 keep.test', '127.0.0.3 keep.test', '127.0.0.4 keep.test', '127.0.0.2 a.test', '127.0.0.3 gone.test']);
    await until(() => urls(sy).length === 3, 10_000, 'the third address');
    const byUrl = new Map(sy.status().upstreams.api!.servers.map((s) => [s.url, s]));
    assert.equal(byUrl.get('http://127.0.0.2:8080')?.state, 'failed');
    assert.equal(byUrl.get('http://127.0.0.2:8080')?.fails, 1);
    assert.equal(byUrl.get('http://127.0.0.3:8080')?.active, 1);
    assert.equal(byUrl.get('http://127.0.0.4:8080')?.requests, 0);
    assert.equal(byUrl.get('http://127.0.0.4:8080')?.state, 'up');
    onThree.release({ status: 200 });
    assert.equal(sy.status().upstreams.api!.servers.find((s) => s.url === 'http://127.0.0.3:8080')?.responses['2xx'], 1);
    // The failed .2 is still skipped: only .3 and .4 are picked.
    const picked = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const p = sy.upstream('api').pick()!;
      picked.add(p.server.url);
      p.release({ status: 200 });
    }
    assert.deepEqual([...picked].sort(), ['http://127.0.0.3:8080', 'http://127.0.0.4:8080']);
  });

  it('keeps the health-check results of surviving addresses; a new address is probed on its own', async (t) => {
    const base = ['127.0.0.2 keep.test', '127.0.0.3 keep.test', '127.0.0.2 a.test', '127.0.0.3 gone.test'];
    await dns.setHosts([...base, '127.0.0.2 hc.test']);
    t.after(() => dns.setHosts(base));
    // Nothing listens on port 9 (discard): every probe fails; one probe per server (interval 1h).
    const sy = createSwitchyard({
      upstreams: {
        api: {
          servers: [{ url: 'http://hc.test:9', resolve: true }],
          resolver: { servers: [dns.address], ipv6: false },
          healthCheck: { interval: '1h', timeout: '500ms' },
        },
      },
    });
    t.after(() => sy.close());
    await sy.ready();
    const health = (url: string) => sy.status().upstreams.api!.servers.find((s) => s.url === url)?.health;
    await until(() => health('http://127.0.0.2:9') !== undefined, 10_000, 'the first probe');
    const first = health('http://127.0.0.2:9')!;
    assert.equal(sy.status().upstreams.api!.servers[0]!.state, 'unhealthy');
    await dns.setHosts([...base, '127.0.0.2 hc.test', '127.0.0.3 hc.test']);
    await until(() => health('http://127.0.0.3:9') !== undefined, 10_000, 'the new address probed');
    // Same probe result object: not re-created, not probed again.
    assert.deepEqual(health('http://127.0.0.2:9'), first);
    assert.equal(sy.status().upstreams.api!.servers.find((s) => s.url === 'http://127.0.0.2:9')?.state, 'unhealthy');
  });

  it("NXDOMAIN removes that name's servers; the other name's stay", async (t) => {
    const sy = createSwitchyard({
      upstreams: {
        api: {
          servers: [
            { url: 'http://a.test:8080', resolve: true },
            { url: 'http://gone.test:8080', resolve: true },
          ],
          resolver: { servers: [dns.address], ipv6: false },
        },
      },
    });
    t.after(() => sy.close());
    await sy.ready();
    assert.deepEqual(urls(sy), ['http://127.0.0.2:8080', 'http://127.0.0.3:8080']);
    const reasons: string[] = [];
    sy.on('server:removed', (e) => reasons.push(`${e.url} ${e.reason} ${e.name}`));
    await dns.setHosts(['127.0.0.2 keep.test', '127.0.0.3 keep.test', '127.0.0.2 a.test']);
    t.after(() => dns.setHosts(['127.0.0.2 keep.test', '127.0.0.3 keep.test', '127.0.0.2 a.test', '127.0.0.3 gone.test']));
    await until(() => urls(sy).length === 1, 10_000, 'gone.test to go');
    assert.deepEqual(urls(sy), ['http://127.0.0.2:8080']);
    assert.deepEqual(reasons, ['http://127.0.0.3:8080 dns gone.test']);
    const resolver = sy.status().upstreams.api!.resolver!;
    assert.deepEqual(
      resolver.map((r) => [r.name, r.answer, r.error]),
      [
        ['a.test', ['127.0.0.2'], undefined],
        ['gone.test', [], undefined],
      ],
    );
  });

  it('asks for A and AAAA records as ipv4/ipv6 say; an IPv6 address becomes a bracketed url', async (t) => {
    const base = ['127.0.0.2 keep.test', '127.0.0.3 keep.test', '127.0.0.2 a.test', '127.0.0.3 gone.test'];
    await dns.setHosts([...base, '127.0.0.2 dual.test', '::1 dual.test']);
    t.after(() => dns.setHosts(base));
    const make = (resolver: { ipv4?: boolean; ipv6?: boolean }) =>
      createSwitchyard({
        upstreams: { api: { servers: [{ url: 'http://dual.test:8080', resolve: true }], resolver: { servers: [dns.address], ...resolver } } },
      });
    const both = make({});
    const v4 = make({ ipv6: false });
    const v6 = make({ ipv4: false });
    t.after(() => Promise.all([both.close(), v4.close(), v6.close()]));
    await Promise.all([both.ready(), v4.ready(), v6.ready()]);
    assert.deepEqual(urls(both), ['http://127.0.0.2:8080', 'http://[::1]:8080']);
    assert.deepEqual(urls(v4), ['http://127.0.0.2:8080']);
    assert.deepEqual(urls(v6), ['http://[::1]:8080']);
    assert.deepEqual(
      v6
        .upstream('api')
        .servers()
        .map((s) => [s.hostname, s.host, s.name]),
      [['::1', 'dual.test:8080', 'dual.test']],
    );
  });

  it('addServer with resolve: true follows the name at run time; removeServer of its url stops it and removes its addresses', async (t) => {
    const sy = createSwitchyard({ upstreams: { api: { servers: ['http://10.9.9.9:80'], resolver: { servers: [dns.address], ipv6: false } } } });
    t.after(() => sy.close());
    const added: string[] = [];
    sy.on('server:added', (e) => added.push(`${e.url} ${e.reason} ${e.name}`));
    sy.addServer('api', { url: 'http://keep.test:8080', resolve: true, weight: 3 });
    await until(() => urls(sy).length === 3, 10_000, 'the addresses');
    assert.deepEqual(urls(sy), ['http://10.9.9.9:80', 'http://127.0.0.2:8080', 'http://127.0.0.3:8080']);
    assert.deepEqual(added, ['http://127.0.0.2:8080 dns keep.test', 'http://127.0.0.3:8080 dns keep.test']);
    assert.deepEqual(
      sy.status().upstreams.api!.servers.map((s) => s.weight),
      [1, 3, 3],
    );
    assert.deepEqual(
      sy.status().upstreams.api!.resolver?.map((r) => r.name),
      ['keep.test'],
    );
    assert.throws(() => sy.addServer('api', { url: 'http://keep.test:8080', resolve: true }), /already has server http:\/\/keep\.test:8080/);
    const before = dns.queries('keep.test');
    assert.equal(sy.removeServer('api', 'keep.test:8080'), true);
    assert.deepEqual(urls(sy), ['http://10.9.9.9:80']);
    assert.deepEqual(sy.status().upstreams.api!.resolver, []);
    // Its lookups stopped with it (two TTLs later, no new query).
    // sleep-ok: an absence over time is the subject (TTL 1 s on a real DNS server): nothing could signal it.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(dns.queries('keep.test'), before);
  });

  it('close() stops every lookup: no query reaches the DNS server afterwards', async (t) => {
    const sy = createSwitchyard({ upstreams: { api: { servers: [{ url: 'http://keep.test:8080', resolve: true }], resolver: { servers: [dns.address] } } } });
    t.after(() => sy.close());
    await sy.ready();
    const start = dns.queries('keep.test');
    // TTL 1 s: re-resolution is running (bounded wait for two more queries).
    await until(() => dns.queries('keep.test') >= start + 2, 10_000, 're-resolution');
    await sy.close();
    const atClose = dns.queries('keep.test');
    // Three TTLs later: still no new query.
    // sleep-ok: an absence over time is the subject (TTL 1 s on a real DNS server): nothing could signal it.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(dns.queries('keep.test'), atClose);
  });

  it('close() leaves nothing behind: the process exits on its own', async () => {
    const run = await runScript('test/discovery/support/close-child.ts', [], { SY_DNS: dns.address, SY_NAME: 'keep.test' }, 30_000);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /servers 2/);
    assert.match(run.out, /closed/);
  });

  it('rejects resolver and resolve options naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ servers: [{ url: 'http://a.test', resolve: 'yes' }] }, /upstreams\.api\.servers\[0\]\.resolve must be/],
      [{ servers: [{ url: 'http://a.test', service: 'http' }] }, /upstreams\.api\.servers\[0\]\.service needs resolve: true/],
      [{ servers: [{ url: 'http://a.test:80', service: 'http', resolve: true }] }, /upstreams\.api\.servers\[0\]\.url must not have a port with service/],
      [{ servers: ['http://x:1'], resolver: { servers: ['not an ip'] } }, /upstreams\.api\.resolver\.servers\[0\] must be an IP address/],
      [{ servers: ['http://x:1'], resolver: { timeout: '0s' } }, /upstreams\.api\.resolver\.timeout must be a positive duration/],
      [{ servers: ['http://x:1'], resolver: { ipv4: false, ipv6: false } }, /upstreams\.api\.resolver\.ipv6 cannot be false/],
      [{ servers: ['http://x:1'], resolver: { valid: 'soon' } }, /upstreams\.api\.resolver\.valid/],
      [{ servers: [], discover: 'consul' }, /upstreams\.api\.discover must be a function/],
    ];
    for (const [api, message] of cases) {
      assert.throws(
        () => createSwitchyard({ upstreams: { api } as never }),
        (err: unknown) => err instanceof SwitchyardConfigError && message.test(err.message),
      );
    }
    assert.throws(
      () => createSwitchyard({ upstreams: { api: ['http://x:1'] }, resolver: { servers: ['1.2.3.4:99999'] } }),
      /^SwitchyardConfigError: resolver\.servers\[0\]/,
    );
  });
});

describe('resolver down', () => {
  it('keeps serving the last good set, with one error event for the whole outage', async (t) => {
    const own = await startDns({ hosts: ['127.0.0.2 down.test', '127.0.0.3 down.test'] });
    t.after(() => own.stop());
    const sy = createSwitchyard({
      upstreams: { api: { servers: [{ url: 'http://down.test:8080', resolve: true }], resolver: { servers: [own.address], timeout: '300ms' } } },
    });
    t.after(() => sy.close());
    const errors: Array<SwitchyardEvents['discovery:error']> = [];
    const recovered: Array<SwitchyardEvents['discovery:recovered']> = [];
    sy.on('discovery:error', (e) => errors.push(e)).on('discovery:recovered', (e) => recovered.push(e));
    const lines: string[] = [];
    attachStateLogger(sy, { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) });
    await sy.ready();
    assert.deepEqual(urls(sy), ['http://127.0.0.2:8080', 'http://127.0.0.3:8080']);
    await own.stop();
    await until(() => sy.status().upstreams.api!.resolver![0]!.error !== undefined, 10_000, 'a failed lookup');
    // Several retries (every max(timeout, 1s)) later: still the last good set, still one event.
    const firstNext = sy.status().upstreams.api!.resolver![0]!.nextLookupAt!;
    await until(() => (sy.status().upstreams.api!.resolver![0]!.nextLookupAt ?? 0) > firstNext + 1500, 10_000, 'two more retries');
    assert.deepEqual(urls(sy), ['http://127.0.0.2:8080', 'http://127.0.0.3:8080']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.source, 'down.test');
    assert.deepEqual(sy.status().upstreams.api!.resolver![0]!.answer, ['127.0.0.2', '127.0.0.3']);
    // Back: one recovery event and one log line each way, whatever the number of retries.
    await own.setHostsFile(['127.0.0.3 down.test']);
    await own.restart();
    await until(() => recovered.length === 1 && urls(sy).length === 1, 10_000, 'the recovery');
    assert.deepEqual(urls(sy), ['http://127.0.0.3:8080']);
    assert.equal(sy.status().upstreams.api!.resolver![0]!.error, undefined);
    assert.deepEqual(
      lines.filter((l) => /lookups of down\.test/.test(l)),
      [
        `warn switchyard: api lookups of down.test fail, keeping the last servers: ${errors[0].error}`,
        'info switchyard: api lookups of down.test answer again',
      ],
    );
  });
});
