/** @module Every directive and server parameter of nginx `upstream` blocks: what it maps to, and each error with its position. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NginxParseError, type UpstreamOptions } from '@switchyard/core';
import { parseNginxConfig } from '../../../packages/core/src/nginx/index.js';

/** Parse one upstream block named `u` (written on line 1). */
function upstream(body: string): { up: UpstreamOptions; warnings: string[] } {
  const { options, warnings } = parseNginxConfig(`upstream u {\n${body}\n}\n`);
  return { up: options.upstreams.u as UpstreamOptions, warnings };
}

function throwsAt(text: string, line: number, column: number, message: RegExp): void {
  assert.throws(
    () => parseNginxConfig(text),
    (err: unknown) => {
      assert.ok(err instanceof NginxParseError, String(err));
      assert.deepEqual([err.line, err.column], [line, column], err.message);
      assert.match(err.message, message);
      return true;
    },
  );
}
const inUpstream = (body: string, line: number, column: number, message: RegExp): void => throwsAt(`upstream u {\n${body}\n}\n`, line, column, message);

test('server addresses: host:port, host alone (port 80, left empty), IPv4, IPv6 in brackets', () => {
  const { up, warnings } = upstream('server a.example:8080;\nserver b.example;\nserver 10.0.0.1;\nserver [::1]:9000;\nserver [fd00::1];');
  assert.deepEqual(up, {
    servers: ['http://a.example:8080', 'http://b.example', 'http://10.0.0.1', 'http://[::1]:9000', 'http://[fd00::1]'],
  });
  assert.deepEqual(warnings, []);
});

test('every server parameter', () => {
  const { up } = upstream(
    'server a:1 weight=5 max_fails=3 fail_timeout=30s max_conns=10 slow_start=1m;\n' +
      'server b:1 backup max_fails=0 fail_timeout=15;\nserver c:1 down;\nserver d:1 drain weight=1;',
  );
  assert.deepEqual(up.servers, [
    { url: 'http://a:1', weight: 5, maxFails: 3, failTimeout: '30s', maxConns: 10, slowStart: '1m' },
    { url: 'http://b:1', backup: true, maxFails: 0, failTimeout: '15s' },
    { url: 'http://c:1', down: true },
    { url: 'http://d:1', drain: true, weight: 1 },
  ]);
});

test('fail_timeout in days or with spaces becomes milliseconds', () => {
  assert.deepEqual(upstream('server a:1 fail_timeout=1d;').up.servers, [{ url: 'http://a:1', failTimeout: '86400000ms' }]);
  assert.deepEqual(upstream('server a:1 "fail_timeout=1m 30s";').up.servers, [{ url: 'http://a:1', failTimeout: '90000ms' }]);
});

test('balancing directives', () => {
  const cases: Array<[string, Partial<UpstreamOptions>]> = [
    ['least_conn;', { balance: 'least-conn' }],
    ['ip_hash;', { balance: 'ip-hash' }],
    ['hash $request_uri;', { balance: 'hash', hash: { key: '$request_uri' } }],
    ['hash $remote_addr consistent;', { balance: 'hash', hash: { key: '$remote_addr', consistent: true } }],
    ['hash "$host${request_uri}";', { balance: 'hash', hash: { key: '$host${request_uri}' } }],
    ['random;', { balance: 'random' }],
    ['random two;', { balance: 'random-two' }],
    ['random two least_conn;', { balance: 'random-two' }],
    ['least_time header;', { balance: 'least-time' }],
  ];
  for (const [directive, want] of cases) {
    const { up, warnings } = upstream(`${directive}\nserver a:1;`);
    assert.deepEqual(up, { servers: ['http://a:1'], ...want }, directive);
    assert.deepEqual(warnings, [], directive);
  }
});

test('least_time last_byte and inflight are accepted with warnings', () => {
  const { up, warnings } = upstream('least_time last_byte inflight;\nserver a:1;');
  assert.equal(up.balance, 'least-time');
  assert.deepEqual(warnings, [
    'line 2: "least_time last_byte" uses the time to the response header: switchyard averages header times',
    'line 2: "least_time ... inflight" ignored (switchyard averages completed requests only)',
  ]);
});

test('a second balancing method wins with a warning, as in nginx', () => {
  const { up, warnings } = upstream('least_conn;\nserver a:1;\nip_hash;');
  assert.equal(up.balance, 'ip-hash');
  assert.deepEqual(warnings, ['line 4: load balancing method redefined in upstream "u"; "ip_hash" wins, as in nginx']);
});

test('keepalive N; zone and keepalive_* are warnings; resolver and resolver_timeout are read', () => {
  const { up, warnings } = upstream(
    'zone u 64k;\nkeepalive 4;\nkeepalive_requests 100;\nkeepalive_timeout 30s;\nkeepalive_time 1h;\nresolver 127.0.0.53;\nresolver_timeout 5s;\nserver a:1;',
  );
  assert.equal(up.keepalive, 4);
  assert.deepEqual(up.resolver, { servers: ['127.0.0.53'], timeout: '5s' });
  assert.deepEqual(warnings, [
    'line 2: "zone" ignored (switchyard keeps pool state in the process; no shared memory zone is needed)',
    'line 4: "keepalive_requests" ignored (switchyard\'s upstream agent manages idle connection lifetime)',
    'line 5: "keepalive_timeout" ignored (switchyard\'s upstream agent manages idle connection lifetime)',
    'line 6: "keepalive_time" ignored (switchyard\'s upstream agent manages idle connection lifetime)',
  ]);
});

test('an upstream never proxied to keeps http:// servers; one reached over https gets https://, with :80 spelt out when no port', () => {
  const { options } = parseNginxConfig('upstream s { server a:8443; server b; }\nlocation / { proxy_pass https://s; }');
  assert.deepEqual(options.upstreams.s, { servers: ['https://a:8443', 'https://b:80'] });
});

test('NGINX Plus queue: size, timeout (bare number = seconds), 502 as Plus; without max_conns it cannot act and says so', () => {
  const { options, warnings } = parseNginxConfig('upstream u {\n  server a:1 max_conns=2;\n  queue 100 timeout=70;\n}\nlocation / { proxy_pass http://u; }');
  assert.deepEqual((options.upstreams.u as UpstreamOptions).queue, { size: 100, timeout: '70s', status: 502 });
  assert.deepEqual(warnings, []);
  const bare = parseNginxConfig('upstream u {\n  server a:1;\n  queue 5;\n}\nlocation / { proxy_pass http://u; }');
  assert.equal((bare.options.upstreams.u as UpstreamOptions).queue, undefined);
  assert.deepEqual(bare.warnings, [
    'line 3: "queue" has no effect in upstream "u": no server has max_conns, and switchyard queues only for servers at max_conns',
  ]);
  inUpstream('server a:1;\nqueue 0;', 3, 7, /invalid value "0" in "queue" directive/);
  inUpstream('server a:1;\nqueue 5 wait=1s;', 3, 9, /invalid parameter "wait=1s" in "queue" directive/);
  inUpstream('server a:1 max_conns=1;\nqueue 5;\nqueue 6;', 4, 1, /"queue" directive is duplicate/);
});

test('unsupported upstream directives are errors at the directive', () => {
  inUpstream('server a:1;\n  sticky_cookie_insert srv_id;', 3, 3, /"sticky_cookie_insert" .* is not supported/);
  inUpstream('server a:1;\nntlm;', 3, 1, /"ntlm" .* is not supported/);
  inUpstream('state /var/lib/nginx/u.conf;', 2, 1, /"state" .* is not supported/);
  inUpstream('server a:1;\nlest_conn;', 3, 1, /unknown directive "lest_conn" in upstream "u"/);
  inUpstream('server a:1;\nproxy_read_timeout 5s;', 3, 1, /unknown directive "proxy_read_timeout" in upstream "u"/);
  inUpstream('server a:1;\nserver b:1 { }', 3, 1, /takes an address, not a block/);
  inUpstream('server a:1;\nzone z { }', 3, 1, /"zone" cannot be a block inside upstream "u"/);
});

test('server address errors point at the address', () => {
  inUpstream('server unix:tmp/app.sock;', 2, 8, /write unix:\/absolute\/path/);
  inUpstream('server http://a:1;', 2, 8, /an upstream server has no scheme/);
  inUpstream('server a:0;', 2, 8, /invalid port in server address "a:0"/);
  inUpstream('server a:65536;', 2, 8, /invalid port/);
  inUpstream('server a:x;', 2, 8, /invalid port/);
  inUpstream('server ::1;', 2, 8, /write IPv6 addresses in brackets/);
  inUpstream('server a/b:1;', 2, 8, /invalid host in server address/);
  inUpstream('server $backend;', 2, 8, /invalid host/);
  inUpstream('server;', 2, 1, /invalid number of arguments in "server" directive/);
});

test('server parameter errors point at the parameter', () => {
  inUpstream('server a:1 weight=0;', 2, 12, /invalid parameter "weight=0"/);
  inUpstream('server a:1 weight=-1;', 2, 12, /invalid parameter "weight=-1"/);
  inUpstream('server a:1 weight=1.5;', 2, 12, /invalid parameter "weight=1.5"/);
  inUpstream('server a:1 max_fails=x;', 2, 12, /invalid parameter "max_fails=x"/);
  inUpstream('server a:1 max_conns=;', 2, 12, /invalid parameter "max_conns="/);
  inUpstream('server a:1 fail_timeout=10q;', 2, 12, /invalid parameter "fail_timeout=10q"/);
  inUpstream('server a:1 slow_start=1s1m;', 2, 12, /invalid parameter "slow_start=1s1m"/);
  inUpstream('server a:1 service=http;', 2, 1, /service name requires the "resolve" parameter/);
  inUpstream('server a:1 service=http resolve;', 2, 8, /a port is not allowed with "service="/);
  inUpstream('server a:1 route=;', 2, 12, /invalid parameter "route="/);
  inUpstream('server a:1 weigth=2;', 2, 12, /invalid parameter "weigth=2"/);
});

test('backup with hash, ip_hash or random is an error (nginx: the method does not support it), in either order', () => {
  inUpstream('ip_hash;\nserver a:1;\nserver b:1 backup;', 4, 12, /does not support parameter "backup"/);
  inUpstream('hash $uri;\nserver b:1 backup;', 3, 12, /does not support parameter "backup"/);
  inUpstream('random two;\nserver b:1 backup;', 3, 12, /does not support parameter "backup"/);
  inUpstream('server a:1;\nserver b:1 backup;\nip_hash;', 3, 12, /balancing method "ip_hash" does not support parameter "backup"/);
  assert.equal(upstream('least_conn;\nserver a:1;\nserver b:1 backup;').up.balance, 'least-conn');
});

test('balancing directive argument errors', () => {
  inUpstream('least_conn x;\nserver a:1;', 2, 12, /invalid number of arguments in "least_conn"/);
  inUpstream('ip_hash on;\nserver a:1;', 2, 9, /invalid number of arguments in "ip_hash"/);
  inUpstream('hash;\nserver a:1;', 2, 1, /invalid number of arguments in "hash"/);
  inUpstream('hash $uri ketama;\nserver a:1;', 2, 11, /invalid parameter "ketama" in "hash"/);
  inUpstream('random three;\nserver a:1;', 2, 8, /invalid parameter "three" in "random"/);
  inUpstream('random two least_time=header;\nserver a:1;', 2, 12, /"random two least_time=\.\.\." is not supported/);
  inUpstream('random two ip_hash;\nserver a:1;', 2, 12, /invalid parameter "ip_hash" in "random"/);
  inUpstream('random two least_conn x;\nserver a:1;', 2, 23, /invalid number of arguments in "random"/);
  inUpstream('least_time;\nserver a:1;', 2, 1, /invalid number of arguments in "least_time"/);
  inUpstream('least_time first_byte;\nserver a:1;', 2, 12, /invalid parameter "first_byte" in "least_time"/);
  inUpstream('least_time header always;\nserver a:1;', 2, 19, /invalid parameter "always" in "least_time"/);
  inUpstream('keepalive;\nserver a:1;', 2, 1, /invalid number of arguments in "keepalive"/);
  inUpstream('keepalive 0;\nserver a:1;', 2, 11, /invalid value "0" in "keepalive"/);
});

test('upstream block errors', () => {
  throwsAt('upstream u { }', 1, 1, /no servers are inside upstream "u"/);
  throwsAt('upstream u;', 1, 1, /"upstream u" needs a \{ \.\.\. \} block/);
  throwsAt('upstream { server a:1; }', 1, 1, /invalid number of arguments in "upstream"/);
  throwsAt('upstream $u { server a:1; }', 1, 10, /invalid upstream name/);
  throwsAt('upstream u { server a:1; }\nupstream U { server b:1; }', 2, 1, /duplicate upstream "U"/);
  throwsAt('server { upstream u { server a:1; } }', 1, 10, /"upstream" directive is not allowed here/);
});

test('hash keys are checked where they are written', () => {
  inUpstream('hash $scheme;\nserver a:1;', 2, 6, /invalid key "\$scheme" in "hash" directive: uses the unknown variable \$scheme/);
  inUpstream('hash "a$";\nserver a:1;', 2, 6, /invalid key "a\$" in "hash" directive/);
  assert.deepEqual(upstream('hash $http_x_tenant$cookie_uid;\nserver a:1;').up.hash, { key: '$http_x_tenant$cookie_uid' });
});
