/** @module nginx log_format templates over the facts: variables, nginx's per-try joining (", " and " : "), escaping, named formats and configuration errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileLogFormat,
  createRequestFacts,
  createSwitchyard,
  finishRequestFacts,
  recordUpstreamHeaders,
  type Attempt,
  type RequestFacts,
} from '@switchyard/core';

const SENT = { requestSent: true, responseStarted: false };
const DONE = { requestSent: true, responseStarted: true };

/** A request whose first try is refused and whose second answers 200, then redirected to a second upstream that answers 404. */
function retriedFacts(headers: Record<string, string> = {}): RequestFacts {
  const sy = createSwitchyard({
    upstreams: { a: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'], b: ['unix:/tmp/b.sock'] },
    locations: { '/': 'a', '/b/': 'b' },
  });
  const facts = createRequestFacts(
    { method: 'GET', url: '/x?q="1"', httpVersion: '1.1', remoteAddr: '127.0.0.1', headers: { 'user-agent': 'curl/8', ...headers } },
    0,
    Date.UTC(2026, 11, 6, 21, 31, 35),
  );
  const route = sy.match('GET', '/x');
  assert.ok(route && route.redirect === undefined && route.internal === undefined);
  const first = sy.forward(route, { method: 'GET', url: '/x', headers: {}, clientIp: '127.0.0.1' }, { replayableBody: true, facts }).first() as Attempt;
  const d = first.end({ failure: 'error', totalMs: 1.9 }, { requestSent: false, responseStarted: false });
  const second = (d as { attempt: Attempt }).attempt;
  second.responded(200, 12.7, SENT);
  second.end({ status: 200, headerMs: 12.7, totalMs: 1234.5 }, DONE);
  const other = sy.match('GET', '/b/');
  assert.ok(other && other.redirect === undefined && other.internal === undefined);
  const third = sy.forward(other, { method: 'GET', url: '/b/', headers: {}, clientIp: '127.0.0.1' }, { replayableBody: true, facts }).first() as Attempt;
  third.end({ status: 404, headerMs: 1, totalMs: 2 }, DONE);
  finishRequestFacts(facts, 404, 17, 1500.2);
  return facts;
}

test('the upstream variables join tries with ", " and upstream groups with " : ", times as nginx prints them', () => {
  const f = compileLogFormat(
    '$upstream_addr|$upstream_status|$upstream_response_time|$upstream_header_time|$upstream_connect_time|$request_time|$upstream_name|$upstream_tries',
  );
  assert.equal(
    f.line({ facts: retriedFacts() }),
    '127.0.0.1:8001, 127.0.0.1:8002 : unix:/tmp/b.sock|502, 200 : 404|0.001, 1.234 : 0.002|0.001, 0.012 : 0.001|0.001, 1.234 : 0.002|1.500|b|3',
  );
});

test('$bytes_sent is every byte of the response, head included; the body bytes when an adapter gives no total', () => {
  const f = compileLogFormat('$bytes_sent $body_bytes_sent');
  const facts = createRequestFacts({ method: 'GET', url: '/', httpVersion: '1.1', remoteAddr: '127.0.0.1', headers: {} }, 1000);
  finishRequestFacts(facts, 200, 17, 1010, 160);
  assert.equal(f.line({ facts }), '160 17');
  assert.equal(facts.bytesSent, 160);
  const old = createRequestFacts({ method: 'GET', url: '/', httpVersion: '1.1', remoteAddr: '127.0.0.1', headers: {} }, 1000);
  finishRequestFacts(old, 200, 17, 1010);
  assert.equal(f.line({ facts: old }), '17 17');
  assert.equal(compileLogFormat('json').fields?.({ facts })?.bytes_sent, undefined, 'the json format keeps its fields');
});

test('$upstream_http_NAME is the last try\'s response header: "-" when the last try got no response head', () => {
  const f = compileLogFormat('$upstream_status|$upstream_http_x_discourse_route|$upstream_http_set_cookie');
  /** One request over fresh servers (a failed try would mark a server down for the next): each try answers these headers, or fails without an answer. */
  const run = (answers: Array<Record<string, string | string[]> | undefined>): string => {
    const sy = createSwitchyard({
      upstreams: { a: { servers: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'], retry: { on: ['error', 'timeout', 503] } } },
      locations: { '/': 'a' },
    });
    const facts = createRequestFacts({ method: 'GET', url: '/', httpVersion: '1.1', remoteAddr: '127.0.0.1', headers: {} }, 0);
    const route = sy.match('GET', '/');
    assert.ok(route && route.redirect === undefined && route.internal === undefined);
    let attempt = sy.forward(route, { method: 'GET', url: '/', headers: {}, clientIp: '127.0.0.1' }, { replayableBody: true, facts }).first() as Attempt;
    for (const [i, headers] of answers.entries()) {
      const last = i === answers.length - 1;
      if (headers === undefined) {
        const d = attempt.end({ failure: 'error', totalMs: 1 }, { requestSent: false, responseStarted: false });
        if (!last) attempt = (d as { attempt: Attempt }).attempt;
        continue;
      }
      recordUpstreamHeaders(attempt, headers);
      const d = attempt.responded(last ? 200 : 503, 1, SENT);
      if (!last) attempt = (d as { attempt: Attempt }).attempt;
      else attempt.end({ status: 200, headerMs: 1, totalMs: 2 }, DONE);
    }
    finishRequestFacts(facts, 200, 0, 10);
    void sy.close();
    return f.line({ facts });
  };
  assert.equal(run([undefined, { 'x-discourse-route': 'list/latest', 'set-cookie': ['a=1', 'b=2'] }]), '502, 200|list/latest|a=1, b=2');
  assert.equal(run([{ 'x-discourse-route': 'first' }]), '200|first|-');
  // A 503 retried, then a try without an answer: nginx resets headers_in per try, so nothing.
  assert.equal(run([{ 'x-discourse-route': 'first' }, undefined]), '503, 502|-|-');
});

test('combined, with the default escaping of quotes and a missing header as "-"', () => {
  const f = compileLogFormat('combined');
  const line = f.line({ facts: retriedFacts({ 'user-agent': 'say "hi"\n' }) });
  // $time_local is the time the response ended, as nginx logs it.
  assert.match(
    line,
    new RegExp(
      `^127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] "GET /x\\?q=\\\\x221\\\\x22 HTTP/1\\.1" 404 17 "-" "say \\\\x22hi\\\\x22\\\\x0A"$`,
    ),
  );
});

test('escape=json: JSON string escaping and an empty value where nginx has none', () => {
  const f = compileLogFormat('{"ref":"$http_referer","ua":"$http_user_agent"}', 'json');
  const line = f.line({ facts: retriedFacts({ 'user-agent': 'a"b' }) });
  assert.deepEqual(JSON.parse(line), { ref: '', ua: 'a"b' });
});

test('the json format: fields with numbers for the single values, strings for the per-try lists', () => {
  const f = compileLogFormat('json');
  const fields = f.fields?.({ facts: retriedFacts() });
  assert.equal(fields?.status, 404);
  assert.equal(fields?.body_bytes_sent, 17);
  assert.equal(fields?.request_time, 1.5);
  assert.equal(fields?.upstream_status, '502, 200 : 404');
  assert.equal(fields?.http_referer, undefined);
  assert.equal(JSON.parse(f.line({ facts: retriedFacts() })).upstream_addr, '127.0.0.1:8001, 127.0.0.1:8002 : unix:/tmp/b.sock');
});

test('$remote_user, ${var} spelling and $sent_http_*', () => {
  const f = compileLogFormat('${remote_user}x $sent_http_content_type $http_x_missing');
  const facts = retriedFacts({ authorization: `Basic ${Buffer.from('ann:secret').toString('base64')}` });
  assert.equal(f.line({ facts, sent: (name) => (name === 'content-type' ? 'text/plain' : undefined) }), 'annx text/plain -');
});

test('an unknown variable or a broken ${ is refused at configuration time, naming the field', () => {
  const base = { upstreams: { a: ['http://127.0.0.1:8001'] } };
  assert.throws(
    () => createSwitchyard({ ...base, accessLog: '$remote_addr $upstream_adr' }),
    /accessLog unknown "upstream_adr" variable in "\$remote_addr \$upstream_adr"/,
  );
  assert.throws(
    () => createSwitchyard({ ...base, accessLog: { format: '${status' } }),
    /accessLog\.format the closing bracket in "status" variable is missing/,
  );
  assert.throws(
    () => createSwitchyard({ ...base, accessLog: { escape: 'xml' as 'json' } }),
    /accessLog\.escape must be one of "default", "json", "none", got "xml"/,
  );
  assert.throws(() => createSwitchyard({ ...base, accessLog: { fromat: 'json' } as never }), /accessLog/);
  assert.equal(createSwitchyard({ ...base, accessLog: true }).config.accessLog?.format, undefined);
  assert.equal(createSwitchyard({ ...base, accessLog: 'combined' }).config.accessLog?.format?.name, 'combined');
  assert.equal(createSwitchyard(base).config.accessLog, undefined);
});
