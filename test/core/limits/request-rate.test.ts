/** @module limit_req on a fake clock: nginx's excess arithmetic (leak at the rate, burst, nodelay, delay=N), several limits per location, the delay timer and its abort, dry run, the zone bound with LRU eviction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type Admission, type LimitZoneOptions, type RequestLimitOptions, type Switchyard } from '@switchyard/core';
import { limitRequest, RequestRateZone } from '../../../packages/core/src/limits/request-rate.js';

/** A fake clock whose timers fire when `advance` passes them. */
class FakeClock {
  now = 0;
  #timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  setTimer = (fn: () => void, ms: number): (() => void) => {
    const t = { at: this.now + ms, fn, live: true };
    this.#timers.push(t);
    return () => {
      t.live = false;
    };
  };
  advance(ms: number): void {
    this.now += ms;
    for (const t of this.#timers) {
      if (t.live && t.at <= this.now) {
        t.live = false;
        t.fn();
      }
    }
  }
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}

function setup(
  zones: Record<string, LimitZoneOptions>,
  limits: RequestLimitOptions,
): { sy: Switchyard; clock: FakeClock; admit: (ip?: string, signal?: AbortSignal) => Admission | Promise<Admission | undefined> } {
  const clock = new FakeClock();
  const sy = createSwitchyard(
    { upstreams: { app: ['http://127.0.0.1:1'] }, limitZones: zones, locations: { '/': { upstream: 'app', limits } } },
    { now: () => clock.now, setTimer: clock.setTimer },
  );
  const location = sy.config.locations[0]!;
  return { sy, clock, admit: (ip = '10.0.0.1', signal) => sy.admit(location, { method: 'GET', url: '/', headers: {}, clientIp: ip }, signal) };
}

const status = (a: Admission | Promise<Admission | undefined>): number | 'delayed' => (a instanceof Promise ? 'delayed' : a.allowed ? 200 : a.status);

test('rate=1r/s burst=0: one request a second passes, the excess leaks at the rate (nginx: 1000 per request, rate*ms/1000 leaked)', () => {
  const { admit, clock } = setup({ one: { kind: 'requests', key: '$binary_remote_addr', rate: '1r/s' } }, { requests: [{ zone: 'one', nodelay: true }] });
  assert.equal(status(admit()), 200);
  assert.equal(status(admit()), 503);
  clock.advance(999);
  assert.equal(status(admit()), 503, '999 ms leak 999: excess 1 > burst 0');
  clock.advance(1);
  assert.equal(status(admit()), 200, 'a whole second later');
  assert.equal(status(admit('10.0.0.2')), 200, 'another key has its own state');
});

test('burst=2 nodelay: three pass at once, then one per rate period; a refused request is not charged', () => {
  const { admit, clock } = setup({ one: { kind: 'requests', key: '$remote_addr', rate: '60r/m' } }, { requests: [{ zone: 'one', burst: 2, nodelay: true }] });
  assert.deepEqual([admit(), admit(), admit(), admit()].map(status), [200, 200, 200, 503]);
  clock.advance(1000);
  assert.deepEqual([admit(), admit()].map(status), [200, 503]);
});

test('burst without nodelay: the excess waits (excess - delay) / rate on the timer, then goes on; delay=1 lets the first excess through', async () => {
  const { admit, clock } = setup({ one: { kind: 'requests', key: '$remote_addr', rate: '2r/s' } }, { requests: [{ zone: 'one', burst: 3 }] });
  assert.equal(status(admit()), 200);
  const second = admit();
  assert.ok(second instanceof Promise);
  const third = admit();
  assert.ok(third instanceof Promise);
  assert.equal(clock.pending, 2);
  let done = 0;
  void second.then(() => done++);
  void third.then(() => done++);
  clock.advance(499);
  await Promise.resolve();
  assert.equal(done, 0, 'excess 1000 at 2000/s: 500 ms');
  clock.advance(1);
  assert.equal((await second)?.allowed, true);
  clock.advance(500);
  assert.equal((await third)?.allowed, true, 'excess 2000: 1000 ms');
  assert.equal(clock.pending, 0);

  const d = setup({ one: { kind: 'requests', key: '$remote_addr', rate: '1r/s' } }, { requests: [{ zone: 'one', burst: 3, delay: 1 }] });
  assert.deepEqual([d.admit(), d.admit()].map(status), [200, 200]);
  assert.equal(status(d.admit()), 'delayed');
});

test('a delayed request whose client goes away is dropped: the timer is cancelled, nothing is held', async () => {
  const { admit, clock } = setup(
    { one: { kind: 'requests', key: '$remote_addr', rate: '1r/s' }, c: { kind: 'connections', key: '$remote_addr' } },
    { requests: [{ zone: 'one', burst: 5 }], connections: [{ zone: 'c', max: 1 }] },
  );
  const first = admit();
  assert.ok(!(first instanceof Promise) && first.allowed);
  first.release();
  const aborted = new AbortController();
  const waiting = admit('10.0.0.1', aborted.signal);
  assert.ok(waiting instanceof Promise);
  assert.equal(clock.pending, 1);
  aborted.abort();
  assert.equal(await waiting, undefined);
  assert.equal(clock.pending, 0, 'timer cancelled');
  clock.advance(10_000);
  const later = admit();
  assert.ok(!(later instanceof Promise) && later.allowed, 'no limit_conn slot was taken by the dropped request');
});

test('two limit_req in one location: both charged; the one over its burst refuses and the other is not charged (ngx_http_limit_req_unlock)', () => {
  const { admit } = setup(
    { ip: { kind: 'requests', key: '$remote_addr', rate: '1r/m' }, uri: { kind: 'requests', key: '$uri', rate: '1r/m' } },
    {
      requests: [
        { zone: 'ip', burst: 1, nodelay: true },
        { zone: 'uri', nodelay: true },
      ],
    },
  );
  assert.equal(status(admit('10.0.0.1')), 200);
  assert.equal(status(admit('10.0.0.2')), 503, 'the uri zone refuses');
  assert.equal(status(admit('10.0.0.1')), 503);
  // 10.0.0.2 was looked up in "ip" but not charged: a fresh key there still has its whole burst.
});

test('limit_req_dry_run: never refused or delayed, still counted; limit_req_status', () => {
  const dry = setup({ one: { kind: 'requests', key: '$remote_addr', rate: '1r/m' } }, { requests: [{ zone: 'one' }], requestDryRun: true });
  assert.deepEqual([dry.admit(), dry.admit(), dry.admit()].map(status), [200, 200, 200]);
  const s = setup({ one: { kind: 'requests', key: '$remote_addr', rate: '1r/m' } }, { requests: [{ zone: 'one', nodelay: true }], requestStatus: 429 });
  assert.equal(status(s.admit()), 200);
  const refused = s.admit();
  assert.ok(!(refused instanceof Promise) && !refused.allowed);
  assert.equal(refused.status, 429);
  assert.match(refused.body, /<title>429 Too Many Requests<\/title>/);
});

test('an empty key is not limited', () => {
  const { sy } = setup({ one: { kind: 'requests', key: '$http_x_api_key', rate: '1r/m' } }, { requests: [{ zone: 'one', nodelay: true }] });
  const loc = sy.config.locations[0]!;
  const req = (key?: string) => sy.admit(loc, { method: 'GET', url: '/', headers: key === undefined ? {} : { 'x-api-key': key }, clientIp: '10.0.0.1' });
  assert.deepEqual([req(), req(), req('k'), req('k')].map(status), [200, 200, 200, 503]);
});

test('a zone keeps at most size/128 keys: the least recently used goes first (nginx forces out the oldest state)', () => {
  const zone = new RequestRateZone('z', (r) => r.clientIp, 1000, 3);
  const limit = [{ zone, burst: 0, delay: Number.MAX_SAFE_INTEGER }];
  const at = (ip: string, now: number) => limitRequest(limit, { method: 'GET', url: '/', headers: {}, clientIp: ip }, now).kind;
  assert.equal(at('a', 0), 'pass');
  assert.equal(at('b', 0), 'pass');
  assert.equal(at('c', 0), 'pass');
  assert.equal(at('a', 1), 'reject', 'a is bumped to most recent');
  assert.equal(at('d', 2), 'pass');
  assert.equal(zone.size, 3, 'bounded');
  assert.equal(at('a', 3), 'reject', 'a was kept');
  assert.equal(at('b', 4), 'pass', 'b, the least recently used, was evicted: it starts afresh');
  for (let i = 0; i < 10_000; i++) at(`k${i}`, 5 + i);
  assert.equal(zone.size, 3);
  const sized = createSwitchyard({
    upstreams: { app: ['http://127.0.0.1:1'] },
    limitZones: { one: { kind: 'requests', key: '$remote_addr', rate: '1r/s', size: '1m' } },
    locations: { '/': { upstream: 'app', limits: { requests: [{ zone: 'one' }] } } },
  });
  assert.equal(sized.config.locations[0]!.limits!.requests[0]!.zone.capacity, 8192);
});
