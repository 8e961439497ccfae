import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestInfo, SwitchyardOptions } from '../../../packages/core/src/types.js';
import { SwitchyardConfigError } from '../../../packages/core/src/errors.js';
import {
  DEFAULT_BALANCE,
  DEFAULT_FAIL_TIMEOUT_MS,
  DEFAULT_HEALTH_CHECK,
  DEFAULT_KEEPALIVE,
  DEFAULT_MAX_CONNS,
  DEFAULT_MAX_FAILS,
  DEFAULT_RETRY,
  DEFAULT_RETRY_BUDGET,
  DEFAULT_SLOW_START_MS,
  DEFAULT_TIMEOUTS,
  DEFAULT_WEIGHT,
  RETRYABLE_STATUSES,
  parseStatusRanges,
  resolveCodeLocation,
  resolveConfig,
  resolveRouteLocation,
  resolveServer,
} from '../../../packages/core/src/config/index.js';

test('defaults are the documented values', () => {
  assert.equal(DEFAULT_BALANCE, 'round-robin');
  assert.equal(DEFAULT_WEIGHT, 1);
  assert.equal(DEFAULT_MAX_FAILS, 1);
  assert.equal(DEFAULT_FAIL_TIMEOUT_MS, 10_000);
  assert.equal(DEFAULT_MAX_CONNS, 0);
  assert.equal(DEFAULT_SLOW_START_MS, 0);
  assert.equal(DEFAULT_KEEPALIVE, 32);
  assert.deepEqual(DEFAULT_TIMEOUTS, { connectMs: 60_000, readMs: 60_000, sendMs: 60_000 });
  assert.deepEqual(DEFAULT_RETRY_BUDGET, { percent: 20, windowMs: 10_000, minPerSecond: 10 });
  assert.deepEqual(
    { ...DEFAULT_RETRY, onStatus: [...DEFAULT_RETRY.onStatus] },
    {
      onError: true,
      onTimeout: true,
      onInvalidHeader: false,
      onStatus: [],
      tries: 0,
      timeoutMs: 0,
      nonIdempotent: false,
      budget: { percent: 20, windowMs: 10_000, minPerSecond: 10 },
    },
  );
  assert.deepEqual(
    { ...DEFAULT_HEALTH_CHECK },
    {
      path: '/',
      intervalMs: 5000,
      timeoutMs: 1000,
      fails: 1,
      passes: 1,
      status: [[200, 399]],
      body: undefined,
      mandatory: false,
    },
  );
  assert.deepEqual(RETRYABLE_STATUSES, [500, 502, 503, 504, 403, 404, 429]);
  for (const frozen of [DEFAULT_TIMEOUTS, DEFAULT_RETRY, DEFAULT_RETRY_BUDGET, DEFAULT_HEALTH_CHECK, RETRYABLE_STATUSES]) {
    assert.ok(Object.isFrozen(frozen));
  }
  assert.throws(() => (DEFAULT_RETRY.onStatus as Set<number>).add(500), TypeError);
  assert.equal(DEFAULT_RETRY.onStatus.size, 0);
});

test('a minimal config gets every default', () => {
  const config = resolveConfig({ upstreams: { api: ['http://127.0.0.1:8001'] } });
  const api = config.upstreams.get('api')!;
  assert.equal(api.name, 'api');
  assert.equal(api.balance, 'round-robin');
  assert.equal(api.hash, undefined);
  assert.equal(api.retry, DEFAULT_RETRY);
  assert.equal(api.timeouts, DEFAULT_TIMEOUTS);
  assert.equal(api.keepalive, 32);
  assert.equal(api.healthCheck, undefined);
  assert.deepEqual(api.servers, [
    {
      url: 'http://127.0.0.1:8001',
      weight: 1,
      maxFails: 1,
      failTimeoutMs: 10_000,
      backup: false,
      down: false,
      drain: false,
      maxConns: 0,
      slowStartMs: 0,
    },
  ]);
  assert.deepEqual(config.locations, []);
  assert.equal(config.trustProxy, false);
  assert.equal(config.status, undefined);
  assert.equal(config.metrics, undefined);
  assert.deepEqual(config.warnings, []);
});

test('every field resolved, durations in ms', () => {
  const config = resolveConfig(
    {
      upstreams: {
        api: {
          servers: [
            { url: 'http://10.0.0.1:80', weight: 5, maxFails: 3, failTimeout: '30s', backup: true, maxConns: 10, slowStart: '1m' },
            { url: 'https://api.example.com', down: true, drain: true, failTimeout: 0 },
          ],
          balance: 'hash',
          hash: { key: '$arg_user', consistent: true },
          retry: { on: ['error', 'invalid_header', 502, 503, 503], tries: 3, timeout: '5s', nonIdempotent: true, budget: { percent: 50 } },
          healthCheck: { path: '/health', interval: '10s', timeout: 250, fails: 3, passes: 2, status: '2xx, 304', body: /ok/g, mandatory: true },
          timeouts: { connect: '2s', read: '1m' },
          keepalive: 0,
        },
      },
      trustProxy: ['loopback', '10.0.0.0/8'],
      status: { path: '/_status' },
      metrics: { path: '/metrics' },
    },
    ['line 3: ignored directive'],
  );
  const api = config.upstreams.get('api')!;
  assert.equal(api.balance, 'hash');
  assert.equal(api.hash!.source, '$arg_user');
  assert.equal(api.hash!.consistent, true);
  assert.equal(api.hash!.key({ method: 'GET', url: '/?user=bob', headers: {}, clientIp: '1.1.1.1' }), 'bob');
  assert.deepEqual(
    api.servers.map((s) => ({ ...s })),
    [
      { url: 'http://10.0.0.1:80', weight: 5, maxFails: 3, failTimeoutMs: 30_000, backup: true, down: false, drain: false, maxConns: 10, slowStartMs: 60_000 },
      { url: 'https://api.example.com', weight: 1, maxFails: 1, failTimeoutMs: 0, backup: false, down: true, drain: true, maxConns: 0, slowStartMs: 0 },
    ],
  );
  assert.deepEqual(
    { ...api.retry, onStatus: [...api.retry.onStatus] },
    {
      onError: true,
      onTimeout: false,
      onInvalidHeader: true,
      onStatus: [502, 503],
      tries: 3,
      timeoutMs: 5000,
      nonIdempotent: true,
      budget: { percent: 50, windowMs: 10_000, minPerSecond: 10 },
    },
  );
  assert.deepEqual({ ...api.timeouts }, { connectMs: 2000, readMs: 60_000, sendMs: 60_000 });
  assert.equal(api.keepalive, 0);
  const hc = api.healthCheck!;
  assert.deepEqual(
    { ...hc, body: undefined },
    {
      path: '/health',
      intervalMs: 10_000,
      timeoutMs: 250,
      fails: 3,
      passes: 2,
      status: [
        [200, 299],
        [304, 304],
      ],
      body: undefined,
      mandatory: true,
    },
  );
  // The global flag is dropped so that repeated probes do not alternate through lastIndex.
  assert.ok(hc.body instanceof RegExp);
  assert.equal(hc.body.flags, '');
  assert.equal(hc.body.test('ok'), true);
  assert.equal(hc.body.test('ok'), true);
  assert.deepEqual(config.trustProxy, ['loopback', '10.0.0.0/8']);
  assert.deepEqual(config.status, { path: '/_status', history: { intervalMs: 10_000, samples: 60 } });
  assert.deepEqual(config.metrics, { path: '/metrics' });
  assert.deepEqual(config.warnings, ['line 3: ignored directive']);
});

test('retry.on: [] retries nothing; budget false disables the budget', () => {
  const config = resolveConfig({ upstreams: { api: { servers: ['h:1'], retry: { on: [], budget: false } } } });
  const retry = config.upstreams.get('api')!.retry;
  assert.equal(retry.onError, false);
  assert.equal(retry.onTimeout, false);
  assert.equal(retry.onInvalidHeader, false);
  assert.equal(retry.onStatus.size, 0);
  assert.equal(retry.budget, false);
});

test('server urls: shorthand, canonical form, base paths, IPv6', () => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['backend', 'http://backend'],
    ['HTTP://Backend:80', 'http://backend:80'],
    ['http://h:80/', 'http://h:80'],
    ['https://h/base/path', 'https://h/base/path'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['[::1]:8080', 'http://[::1]:8080'],
    ['  http://h:1  ', 'http://h:1'],
  ];
  for (const [input, url] of cases) assert.equal(resolveServer(input, 'x').url, url, input);
});

test('a hash key function is wrapped to always return a string', () => {
  const key = (req: RequestInfo) => (req.url === '/n' ? (7 as unknown as string) : (undefined as unknown as string));
  const config = resolveConfig({ upstreams: { api: { servers: ['h:1'], balance: 'hash', hash: { key } } } });
  const hash = config.upstreams.get('api')!.hash!;
  assert.equal(hash.source, '[function key]');
  assert.equal(hash.key({ method: 'GET', url: '/n', headers: {}, clientIp: '' }), '7');
  assert.equal(hash.key({ method: 'GET', url: '/x', headers: {}, clientIp: '' }), '');
});

test('the result is new and frozen; the input is left untouched', () => {
  const options: SwitchyardOptions = {
    upstreams: { api: { servers: ['h:1', { url: 'h:2' }], retry: { on: [502] } }, web: ['h:3'] },
    locations: { '/api/': { upstream: 'api', headers: { 'X-A': '1' } }, '/': 'web' },
    trustProxy: ['10.0.0.1'],
    status: { path: '/s' },
  };
  const before = JSON.stringify(options);
  const config = resolveConfig(options);
  assert.equal(JSON.stringify(options), before);
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.locations));
  assert.ok(Object.isFrozen(config.locations[0]));
  assert.ok(Object.isFrozen(config.locations[0]!.headers));
  assert.ok(Object.isFrozen(config.trustProxy));
  assert.ok(Object.isFrozen(config.status));
  assert.ok(Object.isFrozen(config.warnings));
  const api = config.upstreams.get('api')!;
  assert.ok(Object.isFrozen(api));
  assert.ok(Object.isFrozen(api.servers));
  assert.ok(Object.isFrozen(api.servers[1]));
  assert.ok(Object.isFrozen(api.retry));
  assert.throws(() => (config.upstreams as Map<string, unknown>).set('x', api), TypeError);
  assert.throws(() => (config.upstreams as Map<string, unknown>).delete('api'), TypeError);
  assert.throws(() => (api.retry.onStatus as Set<number>).add(500), TypeError);
  assert.equal(config.upstreams.size, 2);
  assert.notEqual(config.trustProxy, options.trustProxy);
});

test('locations: kinds, config order, options merged field by field over the upstream', () => {
  const config = resolveConfig({
    upstreams: {
      api: { servers: ['h:1'], retry: { on: ['error', 502], tries: 2, budget: { percent: 10, minPerSecond: 1, window: '5s' } }, timeouts: { read: '30s' } },
      web: ['h:2'],
    },
    locations: {
      '= /': 'web',
      '^~ /static/': 'web',
      '~ \\.php$': 'api',
      '~*\\.PNG$': 'web',
      '/api/': {
        upstream: 'api',
        rewritePrefix: '/v1/',
        preserveHost: true,
        headers: { 'X-Env': 'prod' },
        retry: { tries: 5, budget: { percent: 30 } },
        timeouts: { connect: 100 },
        websocket: false,
      },
      '=/exact': 'api',
    },
  });
  assert.deepEqual(
    config.locations.map((l) => [l.key, l.kind, l.pattern, l.upstream]),
    [
      ['= /', 'exact', '/', 'web'],
      ['^~ /static/', 'prefix-priority', '/static/', 'web'],
      ['~ \\.php$', 'regex', '\\.php$', 'api'],
      ['~*\\.PNG$', 'regex-i', '\\.PNG$', 'web'],
      ['/api/', 'prefix', '/api/', 'api'],
      ['=/exact', 'exact', '/exact', 'api'],
    ],
  );
  const api = config.upstreams.get('api')!;
  const php = config.locations[2]!;
  assert.equal(php.retry, api.retry);
  assert.equal(php.timeouts, api.timeouts);
  assert.equal(php.rewritePrefix, undefined);
  assert.equal(php.preserveHost, false);
  assert.equal(php.websocket, true);
  assert.deepEqual({ ...php.headers }, {});
  const loc = config.locations[4]!;
  assert.equal(loc.rewritePrefix, '/v1/');
  assert.equal(loc.preserveHost, true);
  assert.equal(loc.websocket, false);
  assert.deepEqual({ ...loc.headers }, { 'x-env': 'prod' });
  assert.deepEqual([...loc.retry.onStatus], [502]);
  assert.equal(loc.retry.onError, true);
  assert.equal(loc.retry.onTimeout, false);
  assert.equal(loc.retry.tries, 5);
  assert.deepEqual(loc.retry.budget, { percent: 30, windowMs: 5000, minPerSecond: 1 });
  assert.deepEqual({ ...loc.timeouts }, { connectMs: 100, readMs: 30_000, sendMs: 60_000 });
});

test('exact and prefix locations of one name may coexist (nginx allows it)', () => {
  const config = resolveConfig({ upstreams: { a: ['h:1'] }, locations: { '= /x/': 'a', '/x/': 'a' } });
  assert.equal(config.locations.length, 2);
});

test('code-defined locations are validated like configured ones', () => {
  const config = resolveConfig({ upstreams: { api: { servers: ['h:1'], retry: { tries: 2 } } } });
  const location = resolveRouteLocation(config.upstreams, 'api', { prefix: '/api', rewritePrefix: '/', retry: { nonIdempotent: true } }, 'proxyTo("api")');
  assert.equal(location.key, 'proxyTo("api")');
  assert.equal(location.kind, 'prefix');
  assert.equal(location.pattern, '/api');
  assert.equal(location.upstream, 'api');
  assert.equal(location.rewritePrefix, '/');
  assert.equal(location.retry.tries, 2);
  assert.equal(location.retry.nonIdempotent, true);
  assert.equal(resolveCodeLocation(config.upstreams.get('api')!, undefined, 'w').pattern, '/');
  const errors: Array<[() => unknown, string]> = [
    [() => resolveRouteLocation(config.upstreams, 'nope', {}, 'proxyTo("nope")'), 'proxyTo("nope") names the unknown upstream "nope" (known: api)'],
    [() => resolveRouteLocation(config.upstreams, 'api', { prefix: 'api' }, 'w'), `w.prefix is not a valid prefix: the path must start with '/', got "api"`],
    [
      () => resolveRouteLocation(config.upstreams, 'api', { rewritePrefx: '/' } as never, 'w'),
      'w.rewritePrefx is not a known option (did you mean rewritePrefix?)',
    ],
    [
      () => resolveRouteLocation(config.upstreams, 'api', { timeouts: { read: 'x' } }, 'w'),
      `w.timeouts.read must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "x"`,
    ],
    [() => resolveRouteLocation(config.upstreams, 'api', 'x' as never, 'w'), 'w must be an options object, got "x"'],
  ];
  for (const [fn, message] of errors) assert.throws(fn, { name: 'SwitchyardConfigError', message });
});

test('health-check status grammar', () => {
  const cases: Array<[string, Array<[number, number]>]> = [
    ['200', [[200, 200]]],
    ['200-399', [[200, 399]]],
    ['2xx', [[200, 299]]],
    [
      '2XX,3xx',
      [
        [200, 299],
        [300, 399],
      ],
    ],
    [
      ' 200 - 204 , 404 ',
      [
        [200, 204],
        [404, 404],
      ],
    ],
    ['100-599', [[100, 599]]],
  ];
  for (const [input, ranges] of cases) assert.deepEqual(parseStatusRanges(input, 'x'), ranges, input);
  for (const bad of ['', '99', '600', '20', '2000', '2xx-3xx', 'ok', '200;300', '1xx-2']) {
    assert.throws(() => parseStatusRanges(bad, 'x'), SwitchyardConfigError, bad);
  }
});
