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
  assert.ok(route && route.redirect === undefined);
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

test('the retry budget caps concurrent timeout retries at max(percent of active, minConcurrent)', () => {
  const sy = setup({ on: ['timeout'], budget: { percent: 20, minConcurrent: 2 } }, 8);
  // Ten requests in flight; their first tries all time out together.
  const firsts = Array.from({ length: 10 }, () => start(sy));
  const decisions = firsts.map((a) => a.end({ failure: 'timeout' }, SENT));
  const retried = decisions.filter((d) => d.action === 'retry').length;
  // After the first 10 tries end, 0..n retries are active; the budget allows 2 (minConcurrent)
  // while 20% of active stays below 2.
  assert.equal(retried, 2);
  assert.deepEqual(
    decisions.find((d) => d.action !== 'retry'),
    { action: 'fail', status: 504, reason: 'upstream timed out' },
  );
});

test('connection errors are not charged to the retry budget (failover of everything in flight)', () => {
  const sy = setup({ budget: { percent: 20, minConcurrent: 1 } }, 8);
  const firsts = Array.from({ length: 10 }, () => start(sy));
  const decisions = firsts.map((a) => a.end({ failure: 'error' }, SENT));
  assert.equal(decisions.filter((d) => d.action === 'retry').length, 10);
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
