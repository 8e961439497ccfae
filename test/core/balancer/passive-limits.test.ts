/** @module passive.panic (Envoy's panic threshold) and passive.maxEjectedPercent over nginx's passive health, with a fake clock. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type SwitchyardEvents } from '../../../packages/core/src/index.js';

const URLS = ['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3', 'http://127.0.0.1:4'];

function fail(sy: ReturnType<typeof createSwitchyard>, url: string): void {
  const p = sy.upstream('api').pick({ tried: new Set(URLS.filter((u) => u !== url)) })!;
  assert.equal(p.server.url, url);
  p.release({ failure: 'timeout' });
}

describe('passive limits', () => {
  it('without passive (nginx): every server failed leaves nothing to pick', async () => {
    const sy = createSwitchyard({ upstreams: { api: URLS } }, { now: () => 0 });
    for (const url of URLS) fail(sy, url);
    assert.equal(sy.upstream('api').pick(), undefined);
    assert.equal(sy.status().upstreams.api!.panic, undefined);
    await sy.close();
  });

  it('panic below 50%: with 1 of 4 healthy, picks balance over all four; back above, failed servers are skipped again', async () => {
    let now = 0;
    const sy = createSwitchyard({ upstreams: { api: { servers: URLS, passive: { panic: { belowPercent: 50 } } } } }, { now: () => now });
    const events: Array<SwitchyardEvents['upstream:panic']> = [];
    sy.on('upstream:panic', (e) => events.push(e));
    fail(sy, URLS[0]!);
    // 3 of 4 healthy: no panic, the failed one is skipped.
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const p = sy.upstream('api').pick()!;
      seen.add(p.server.url);
      p.release({ status: 200 });
    }
    assert.ok(!seen.has(URLS[0]!));
    fail(sy, URLS[1]!);
    fail(sy, URLS[2]!);
    // 1 of 4 healthy (25% < 50%): every server is picked.
    seen.clear();
    for (let i = 0; i < 8; i++) {
      const p = sy.upstream('api').pick()!;
      seen.add(p.server.url);
      p.release({ status: 200 });
    }
    assert.deepEqual([...seen].sort(), URLS);
    assert.equal(sy.status().upstreams.api!.panic, true);
    assert.deepEqual(events[0], { upstream: 'api', panic: true, healthy: 1, servers: 4 });
    // A success in panic re-admits the server (nginx's rule for a success after the window's start): out of panic.
    now += 20_000;
    const p = sy.upstream('api').pick()!;
    p.release({ status: 200 });
    assert.equal(sy.status().upstreams.api!.panic, false);
    assert.equal(events.at(-1)!.panic, false);
    await sy.close();
  });

  it('healthy backups take the traffic before panic', async () => {
    const sy = createSwitchyard(
      { upstreams: { api: { servers: [URLS[0]!, URLS[1]!, { url: URLS[2]!, backup: true }], passive: { panic: { belowPercent: 50 } } } } },
      { now: () => 0 },
    );
    for (const url of [URLS[0]!, URLS[1]!]) {
      const p = sy.upstream('api').pick({ tried: new Set(URLS.filter((u) => u !== url)) })!;
      p.release({ failure: 'error' });
    }
    for (let i = 0; i < 4; i++) {
      const p = sy.upstream('api').pick()!;
      assert.equal(p.server.url, URLS[2]);
      p.release({ status: 200 });
    }
    assert.equal(sy.status().upstreams.api!.panic, false);
    await sy.close();
  });

  it('maxEjectedPercent 50: at most 2 of 4 are marked failed; a fifth failure is not counted', async () => {
    const sy = createSwitchyard({ upstreams: { api: { servers: URLS, passive: { maxEjectedPercent: 50 } } } }, { now: () => 0 });
    for (const url of URLS) fail(sy, url);
    assert.deepEqual(
      sy.status().upstreams.api!.servers.map((s) => s.state),
      ['failed', 'failed', 'up', 'up'],
    );
    // Every failure is still in the statistics.
    assert.deepEqual(
      sy.status().upstreams.api!.servers.map((s) => s.fails),
      [1, 1, 1, 1],
    );
    // One server alone may always be ejected (as Envoy).
    const one = createSwitchyard({ upstreams: { api: { servers: URLS.slice(0, 3), passive: { maxEjectedPercent: 10 } } } }, { now: () => 0 });
    for (const url of URLS.slice(0, 3)) {
      const p = one.upstream('api').pick({ tried: new Set(URLS.filter((u) => u !== url)) })!;
      p.release({ failure: 'error' });
    }
    assert.deepEqual(
      one.status().upstreams.api!.servers.map((s) => s.state),
      ['failed', 'up', 'up'],
    );
    await sy.close();
    await one.close();
  });

  it('is validated naming the field', () => {
    assert.throws(() => createSwitchyard({ upstreams: { api: { servers: URLS, passive: { panic: { belowPercent: 0 } } } } }), {
      message: 'upstreams.api.passive.panic.belowPercent must be an integer from 1 to 100, got 0',
    });
    assert.throws(() => createSwitchyard({ upstreams: { api: { servers: URLS, passive: { maxEjectedPercent: 150 } } } }), {
      message: 'upstreams.api.passive.maxEjectedPercent must be an integer from 0 to 100, got 150',
    });
    assert.throws(() => createSwitchyard({ upstreams: { api: { servers: URLS, passive: { panik: true } as never } } }), /upstreams\.api\.passive.*panik/);
  });
});

it('an imported nginx config has no passive limits (nginx behaviour)', async () => {
  const sy = createSwitchyard({ nginx: 'upstream api { server 127.0.0.1:1; server 127.0.0.1:2; }\nserver { location / { proxy_pass http://api; } }\n' });
  assert.equal(sy.config.upstreams.get('api')!.passive, undefined);
  assert.equal(sy.status().upstreams.api!.panic, undefined);
  await sy.close();
});
