/** @module The core's per-request retry rules (nginx proxy_next_upstream + the retry budget), driven without any HTTP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type Attempt, type Decision, type RetryOptions, type Switchyard } from '@switchyard/core';

const SENT = { requestSent: true, responseStarted: false };
const NOT_SENT = { requestSent: false, responseStarted: false };

function setup(retry: RetryOptions, servers = 4, clock = { now: 0 }): Switchyard {
  return createSwitchyard(
    {
      upstreams: {
        pool: { servers: Array.from({ length: servers }, (_, i) => ({ url: `http://10.0.0.${i + 1}:80`, maxFails: 0 })), retry },
      },
      locations: { '/': 'pool' },
    },
    { now: () => clock.now },
  );
}

function start(sy: Switchyard, method = 'GET', replayableBody = true): Attempt {
  const route = sy.match(method, '/x');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const attempt = sy.forward(route, { method, url: '/x', headers: {}, clientIp: '127.0.0.1' }, { replayableBody }).first();
  assert.ok(attempt);
  return attempt;
}

/** Ends tries with `outcome` while the core says retry; returns the servers tried and the last decision. */
function drive(first: Attempt, end: (a: Attempt) => Decision): { tried: string[]; last: Decision } {
  const tried: string[] = [];
  let attempt = first;
  for (let i = 0; i < 20; i++) {
    tried.push(attempt.server.hostname);
    const decision = end(attempt);
    if (decision.action !== 'retry') return { tried, last: decision };
    attempt = decision.attempt;
  }
  throw new Error('more than 20 tries');
}

test('errors fail over to every server once, then 502', () => {
  const sy = setup({});
  const { tried, last } = drive(start(sy), (a) => a.end({ failure: 'error' }, NOT_SENT));
  assert.deepEqual(tried, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
  assert.deepEqual(last, { action: 'fail', status: 502, reason: 'upstream connection failed' });
});

test('a timeout that is not in retry.on answers 504 at once', () => {
  const sy = setup({ on: ['error'] });
  const { tried, last } = drive(start(sy), (a) => a.end({ failure: 'timeout' }, SENT));
  assert.equal(tried.length, 1);
  assert.deepEqual(last, { action: 'fail', status: 504, reason: 'upstream timed out' });
});

test('tries bounds the attempts exactly', () => {
  const sy = setup({ tries: 2 });
  assert.equal(drive(start(sy), (a) => a.end({ failure: 'error' }, NOT_SENT)).tried.length, 2);
});

test('the retry timeout stops further tries', () => {
  const clock = { now: 0 };
  const sy = setup({ timeout: 1000 }, 4, clock);
  const { tried } = drive(start(sy), (a) => {
    clock.now += 600;
    return a.end({ failure: 'error' }, NOT_SENT);
  });
  assert.equal(tried.length, 2);
});

test('POST is retried only when it never reached a server, unless nonIdempotent', () => {
  assert.equal(drive(start(setup({}), 'POST'), (a) => a.end({ failure: 'error' }, SENT)).tried.length, 1);
  assert.equal(drive(start(setup({}), 'POST'), (a) => a.end({ failure: 'error' }, NOT_SENT)).tried.length, 4);
  assert.equal(drive(start(setup({ nonIdempotent: true }), 'POST'), (a) => a.end({ failure: 'error' }, SENT)).tried.length, 4);
});

test('a streamed body is retried only if not a byte was sent; never once the response started', () => {
  assert.equal(drive(start(setup({}), 'PUT', false), (a) => a.end({ failure: 'error' }, SENT)).tried.length, 1);
  assert.equal(drive(start(setup({}), 'PUT', false), (a) => a.end({ failure: 'error' }, NOT_SENT)).tried.length, 4);
  const started = drive(start(setup({})), (a) => a.end({ failure: 'error' }, { requestSent: true, responseStarted: true }));
  assert.equal(started.tried.length, 1);
});

test('a retryable status goes to the next server; the last real response is delivered', () => {
  const sy = setup({ on: ['error', 503] }, 3);
  const { tried, last } = drive(start(sy), (a) => a.responded(503, 1, SENT));
  assert.equal(tried.length, 3);
  assert.deepEqual(last, { action: 'deliver' });
  // A status not in retry.on is delivered from the first server.
  assert.equal(drive(start(sy), (a) => a.responded(500, 1, SENT)).tried.length, 1);
});

test('a delivered response keeps its server active until end(), then releases it', () => {
  const sy = setup({}, 1);
  const attempt = start(sy);
  assert.deepEqual(attempt.responded(200, 1, SENT), { action: 'deliver' });
  assert.equal(sy.status().upstreams.pool?.servers[0]?.active, 1);
  assert.deepEqual(attempt.end({ status: 200, headerMs: 1, totalMs: 2 }, SENT), { action: 'deliver' });
  assert.equal(sy.status().upstreams.pool?.servers[0]?.active, 0);
  attempt.end({ failure: 'error' }, SENT);
  assert.equal(sy.status().upstreams.pool?.servers[0]?.fails, 0, 'a second end() is ignored');
});

test("the retry budget allows percent of the window's requests plus the reserve, and says so when it refuses", () => {
  const clock = { now: 0 };
  const sy = setup({ on: ['timeout'], budget: { percent: 20, window: '10s', minPerSecond: 0.2 } }, 8, clock);
  const refusals: unknown[] = [];
  sy.on('retry', (e) => {
    if (e.refused !== undefined) refusals.push(e);
  });
  // 10 requests deposit 10: 20% of 10 = 2, plus a reserve of 0.2/s x 10 s = 2: 4 retries.
  const firsts = Array.from({ length: 10 }, () => start(sy));
  const decisions = firsts.map((a) => a.end({ failure: 'timeout' }, SENT));
  assert.equal(decisions.filter((d) => d.action === 'retry').length, 4);
  assert.deepEqual(
    decisions.find((d) => d.action !== 'retry'),
    { action: 'fail', status: 504, reason: 'upstream timed out' },
  );
  assert.equal(refusals.length, 6);
  assert.deepEqual(refusals[0], { upstream: 'pool', from: 'http://10.0.0.5:80', attempt: 2, reason: 'timeout', refused: 'budget' });
});

test('the budget is a rate: a burst of timeouts is retried in full after enough traffic, and old traffic leaves the window', () => {
  const clock = { now: 0 };
  const sy = setup({ on: ['timeout'], budget: { percent: 20, window: '10s', minPerSecond: 0 } }, 4, clock);
  // 100 requests that succeed: 20 retries in the bank.
  for (let i = 0; i < 100; i++) start(sy).end({ status: 200 }, SENT);
  clock.now = 5000;
  const stuck = Array.from({ length: 20 }, () => start(sy));
  // 120 deposits now: 24 allowed; the 20 simultaneous timeouts all move on.
  assert.equal(stuck.map((a) => a.end({ failure: 'timeout' }, SENT)).filter((d) => d.action === 'retry').length, 20);
  // 10.5 s later the first 100 requests left the window: 20 deposits, 20 withdrawals (the retries
  // above, still inside): nothing left.
  clock.now = 10_500;
  assert.equal(start(sy).end({ failure: 'timeout' }, SENT).action, 'fail');
  // Once everything left the window, a fresh request has 20% of 1 = 0.2: still no retry without a reserve.
  clock.now = 30_000;
  assert.equal(start(sy).end({ failure: 'timeout' }, SENT).action, 'fail');
});

test('a pool where every server answers 503 cannot multiply its load by more than 1.2 (plus the reserve)', () => {
  const clock = { now: 0 };
  const sy = setup({ on: [503] }, 3, clock);
  let tries = 0;
  const requests = 1000;
  for (let i = 0; i < requests; i++) {
    clock.now = i * 5; // 200 requests per second, 5 s in all: inside one 10 s window
    tries += drive(start(sy), (a) => a.responded(503, 1, SENT)).tried.length;
  }
  const retries = tries - requests;
  // Defaults: 20% of the window's requests + 10/s x 10 s.
  assert.ok(retries <= 0.2 * requests + 100, `retries ${retries}`);
  assert.ok(retries >= 0.2 * requests, `the budget is used, not refused outright (retries ${retries})`);
});

test('tries that never reached a server (connection refused) are not charged to the retry budget', () => {
  const sy = setup({ budget: { percent: 0, minPerSecond: 0 } }, 8);
  const firsts = Array.from({ length: 10 }, () => start(sy));
  assert.equal(firsts.map((a) => a.end({ failure: 'error' }, NOT_SENT)).filter((d) => d.action === 'retry').length, 10);
  // A reset after the request was sent did reach the server: charged, and this budget is empty.
  const sent = Array.from({ length: 10 }, () => start(sy));
  assert.equal(sent.map((a) => a.end({ failure: 'error' }, SENT)).filter((d) => d.action === 'retry').length, 0);
});

test('budget: false never limits retries', () => {
  const sy = setup({ on: ['timeout'], budget: false }, 8);
  const firsts = Array.from({ length: 10 }, () => start(sy));
  assert.equal(firsts.map((a) => a.end({ failure: 'timeout' }, SENT)).filter((d) => d.action === 'retry').length, 10);
});

test('an aborted client ends the tries without a retry or a failure', () => {
  const sy = setup({}, 2);
  const attempt = start(sy);
  assert.equal(attempt.end({ aborted: true }, SENT).action, 'fail');
  const servers = sy.status().upstreams.pool?.servers ?? [];
  assert.deepEqual(
    servers.map((s) => [s.active, s.fails]),
    [
      [0, 0],
      [0, 0],
    ],
  );
});
