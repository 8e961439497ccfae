/** @module What counts as a server failure (nginx: only a status it moves on from), with the sequences recorded from nginx 1.22. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type Attempt, type Decision, type RetryOptions, type Switchyard } from '@switchyard/core';

const SENT = { requestSent: true, responseStarted: false };

type Answer = number | 'error' | 'timeout';

function setup(retry: RetryOptions, names = ['a', 'b', 'c'], clock = { now: 0 }): Switchyard {
  return createSwitchyard(
    {
      upstreams: { pool: { servers: names.map((n, i) => `http://10.0.0.${i + 1}:80`), retry } },
      locations: { '/': 'pool' },
    },
    { now: () => clock.now },
  );
}

const NAME: Record<string, string> = { '10.0.0.1': 'a', '10.0.0.2': 'b', '10.0.0.3': 'c' };

/**
 * One request through the core as an adapter drives it, written as the nginx recorder writes it:
 * the servers tried joined by `>`, then `:status(who)`, `who` being the server whose response the
 * client got or `proxy` for an answer of the proxy itself (`-` when no server was tried).
 */
function request(sy: Switchyard, answer: (server: string) => Answer, method = 'GET'): string {
  const route = sy.match(method, '/x');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const tried: string[] = [];
  let attempt: Attempt | undefined = sy.forward(route, { method, url: '/x', headers: {}, clientIp: '127.0.0.1' }, { replayableBody: true }).first();
  for (let i = 0; i < 10 && attempt !== undefined; i++) {
    const name = NAME[attempt.server.hostname] as string;
    tried.push(name);
    const a = answer(name);
    let decision: Decision;
    if (typeof a === 'number') {
      decision = attempt.responded(a, 1, SENT);
      if (decision.action === 'deliver') {
        assert.deepEqual(attempt.end({ status: a, headerMs: 1, totalMs: 2 }, SENT), { action: 'deliver' });
        return `${tried.join('>')}:${a}(${name})`;
      }
    } else {
      decision = attempt.end({ failure: a }, SENT);
    }
    if (decision.action === 'fail') return `${tried.join('>')}:${decision.status}(proxy)`;
    assert.equal(decision.action, 'retry');
    attempt = decision.action === 'retry' ? decision.attempt : undefined;
  }
  assert.equal(attempt, undefined, 'more than 10 tries');
  return `${tried.join('>') || '-'}:502(proxy)`;
}

function states(sy: Switchyard): string {
  return (sy.status().upstreams.pool?.servers ?? []).map((s) => s.state).join(' ');
}

test('tries 2, every server answers 502: the delivered 502 is a success, the ones moved on from are failures (nginx: a>b c>b b:proxy -)', () => {
  const sy = setup({ on: ['error', 'timeout', 502], tries: 2, budget: false });
  const seq = [];
  for (let i = 0; i < 5; i++) seq.push(request(sy, () => 502));
  // Recorded from nginx 1.22 (proxy_next_upstream error timeout http_502; proxy_next_upstream_tries 2):
  // a>b:502(b)  c>b:502(b)  b:502(nginx)  -:502(nginx)  -:502(nginx)
  assert.deepEqual(seq, ['a>b:502(b)', 'c>b:502(b)', 'b:502(proxy)', '-:502(proxy)', '-:502(proxy)']);
  assert.equal(states(sy), 'failed failed failed');
});

test('tries 2, every server answers 503: the same servers; moving on with no server left answers 502, as nginx', () => {
  const sy = setup({ on: ['error', 'timeout', 503], tries: 2, budget: false });
  const seq = [];
  for (let i = 0; i < 4; i++) seq.push(request(sy, () => 503));
  // nginx 1.22: a>b:503(b)  c>b:503(b)  b:502(nginx)  -:502(nginx)
  assert.deepEqual(seq, ['a>b:503(b)', 'c>b:503(b)', 'b:502(proxy)', '-:502(proxy)']);
});

test('a POST answered 500 (http_500) is not retried, and its server is not marked failed', () => {
  const sy = setup({ on: ['error', 'timeout', 500], budget: false });
  const seq = [];
  for (let i = 0; i < 6; i++) seq.push(request(sy, () => 500, 'POST'));
  // nginx 1.22: a:500(a) b:500(b) c:500(c) a:500(a) b:500(b) c:500(c)
  assert.deepEqual(seq, ['a:500(a)', 'b:500(b)', 'c:500(c)', 'a:500(a)', 'b:500(b)', 'c:500(c)']);
  assert.equal(states(sy), 'up up up');
  assert.deepEqual(
    sy.status().upstreams.pool?.servers.map((s) => s.fails),
    [0, 0, 0],
  );
});

test('without a tries limit the last server by count delivers its status as a success', () => {
  const sy = setup({ on: ['error', 503], budget: false });
  assert.equal(
    request(sy, () => 503),
    'a>b>c:503(c)',
  );
  assert.equal(states(sy), 'failed failed up');
  // Only c is left: its 503 moves on (a try remains by count: 3 servers), finds nobody: 502.
  assert.equal(
    request(sy, () => 503),
    'c:502(proxy)',
  );
});

test('a down server does not count as a try (nginx peers->tries): the last live one delivers', () => {
  const sy = setup({ on: ['error', 503], budget: false });
  sy.setServer('pool', 'http://10.0.0.3:80', { down: true });
  assert.equal(
    request(sy, () => 503),
    'a>b:503(b)',
  );
  assert.equal(states(sy), 'failed up down');
});

test('a timeout with a try left and no server left answers 502, as nginx (504 only when the tries are used up)', () => {
  const sy = setup({ on: ['error', 'timeout', 502], budget: false }, ['a', 'b']);
  const answers: Record<string, Answer[]> = { a: [502], b: [200, 'timeout'] };
  const next = (n: string): Answer => (answers[n] as Answer[]).shift() ?? 'timeout';
  // nginx 1.22 with a: 502, b: 200 then hanging (proxy_read_timeout 1s): a>b:200(b)  b:502(nginx)  -:502(nginx)
  assert.equal(request(sy, next), 'a>b:200(b)');
  assert.equal(request(sy, next), 'b:502(proxy)');
  assert.equal(request(sy, next), '-:502(proxy)');
  const fresh = setup({ on: ['error', 'timeout'], budget: false }, ['a', 'b']);
  assert.equal(
    request(fresh, () => 'timeout'),
    'a>b:504(proxy)',
  );
});

test('a retry refused by the retry timeout or the budget delivers the status, which is then no failure', () => {
  const clock = { now: 0 };
  const sy = setup({ on: ['error', 503], timeout: 100, budget: false }, ['a', 'b', 'c'], clock);
  assert.equal(
    request(sy, () => {
      clock.now += 100;
      return 503;
    }),
    'a:503(a)',
  );
  assert.equal(states(sy), 'up up up');
  const budgeted = setup({ on: ['error', 503], budget: { percent: 0, minPerSecond: 0 } });
  assert.equal(
    request(budgeted, () => 503),
    'a:503(a)',
  );
  assert.equal(states(budgeted), 'up up up');
});

test('403 and 404 moved on from never fail their server (nginx NGX_PEER_NEXT)', () => {
  const sy = setup({ on: ['error', 404], budget: false });
  assert.equal(
    request(sy, () => 404),
    'a>b>c:404(c)',
  );
  assert.equal(states(sy), 'up up up');
});

test('a bare release: a status is a success unless next: true says the caller moved on from it', () => {
  const sy = setup({ on: ['error', 502] });
  const pool = sy.upstream('pool');
  pool.pick()?.release({ status: 502 });
  assert.equal(states(sy), 'up up up');
  pool.pick()?.release({ status: 502, next: true });
  assert.equal(states(sy), 'up failed up');
  // A status outside retry.on (or the pick's failOn) is no failure even when moved on from.
  pool.pick({ failOn: new Set([500]) })?.release({ status: 502, next: true });
  assert.equal(states(sy), 'up failed up');
});
