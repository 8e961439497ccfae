/** @module The per-request facts the core records for each try (order, statuses, times, retries, sticky), and that nothing is recorded without them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequestFacts, createSwitchyard, finishRequestFacts, recordConnect, type Attempt, type RequestFacts, type Switchyard } from '@switchyard/core';

const SENT = { requestSent: true, responseStarted: false };
const NOT_SENT = { requestSent: false, responseStarted: false };

function setup(extra: object = {}): Switchyard {
  return createSwitchyard({
    upstreams: {
      pool: { servers: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://[::1]:8003'], retry: { on: ['error', 'timeout', 503] }, ...extra },
    },
    locations: { '/api/': 'pool' },
  });
}

function begin(sy: Switchyard, facts: RequestFacts | undefined, headers = {}): Attempt | undefined {
  const route = sy.match('GET', '/api/x?y=1');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  return sy.forward(route, { method: 'GET', url: '/api/x?y=1', headers, clientIp: '127.0.0.1' }, { replayableBody: true, facts }).first();
}

const request = { method: 'GET', url: '/api/x?y=1', httpVersion: '1.1', remoteAddr: '::ffff:10.1.2.3', headers: {} };

test('a refused try, a 503 and a 200: three tries in order with their statuses, times and retried flags', () => {
  const sy = setup();
  const facts = createRequestFacts(request, 1000, 1_700_000_000_000);
  let attempt = begin(sy, facts) as Attempt;
  recordConnect(attempt, 3);
  let d = attempt.end({ failure: 'error', totalMs: 4 }, NOT_SENT);
  assert.equal(d.action, 'retry');
  attempt = (d as { attempt: Attempt }).attempt;
  recordConnect(attempt, 0);
  d = attempt.responded(503, 12, SENT);
  assert.equal(d.action, 'retry');
  attempt = (d as { attempt: Attempt }).attempt;
  d = attempt.responded(200, 7, SENT);
  assert.equal(d.action, 'deliver');
  attempt.end({ status: 200, headerMs: 7, totalMs: 9 }, { requestSent: true, responseStarted: true });
  finishRequestFacts(facts, 200, 42, 1020);

  assert.equal(facts.remoteAddr, '10.1.2.3');
  assert.equal(facts.upstream, 'pool');
  assert.equal(facts.location, '/api/');
  assert.equal(facts.status, 200);
  assert.equal(facts.bodyBytesSent, 42);
  assert.equal(facts.requestMs, 20);
  assert.deepEqual(
    facts.tries.map((t) => [t.addr, t.status, t.failure, t.connectMs, t.headerMs, t.totalMs, t.retried, t.group]),
    [
      ['127.0.0.1:8001', 502, 'error', 3, undefined, 4, true, 0],
      ['127.0.0.1:8002', 503, undefined, 0, 12, 12, true, 0],
      ['[::1]:8003', 200, undefined, undefined, 7, 9, false, 0],
    ],
  );
  assert.equal(facts.tries[0]?.server, 'http://127.0.0.1:8001');
  assert.equal(facts.tries[0]?.sticky, undefined);
});

test('a timeout is recorded as nginx does: status 504 with the failure kind', () => {
  const sy = setup();
  const facts = createRequestFacts(request);
  const attempt = begin(sy, facts) as Attempt;
  attempt.end({ failure: 'timeout', totalMs: 60_000 }, SENT);
  assert.equal(facts.tries[0]?.status, 504);
  assert.equal(facts.tries[0]?.failure, 'timeout');
});

test('no live server: one entry naming the upstream with 502, as nginx logs "no live upstreams"', () => {
  const sy = setup();
  for (const url of ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://[::1]:8003']) sy.setServer('pool', url, { down: true });
  const facts = createRequestFacts(request);
  assert.equal(begin(sy, facts), undefined);
  assert.deepEqual(
    facts.tries.map((t) => [t.addr, t.status]),
    [['pool', 502]],
  );
});

test('sticky: a request carrying the route cookie is a hit, one without it a miss', () => {
  const sy = createSwitchyard({
    upstreams: {
      pool: {
        servers: [
          { url: 'http://127.0.0.1:8001', route: 'a' },
          { url: 'http://127.0.0.1:8002', route: 'b' },
        ],
        sticky: { cookie: { name: 'srv' } },
      },
    },
    locations: { '/api/': 'pool' },
  });
  const bound = createRequestFacts(request);
  const first = begin(sy, bound, { cookie: 'srv=b' }) as Attempt;
  assert.equal(first.server.url, 'http://127.0.0.1:8002');
  assert.equal(bound.tries[0]?.sticky, 'hit');
  const fresh = createRequestFacts(request);
  begin(sy, fresh);
  assert.equal(fresh.tries[0]?.sticky, 'miss');
});

test('without facts nothing is recorded and the tries carry none', () => {
  const sy = setup();
  const attempt = begin(sy, undefined) as Attempt;
  assert.equal(attempt.facts, undefined);
  recordConnect(attempt, 1);
  assert.equal(attempt.end({ status: 200 }, SENT).action, 'deliver');
});

test('an object not made by createRequestFacts is ignored', () => {
  const sy = setup();
  const fake = { tries: [] } as unknown as RequestFacts;
  const attempt = begin(sy, fake) as Attempt;
  assert.equal(attempt.facts, undefined);
  assert.equal(fake.tries.length, 0);
});
