import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchyardConfigError } from '../../../packages/core/src/errors.js';
import { parseDuration } from '../../../packages/core/src/config/duration.js';

test('numbers are milliseconds', () => {
  assert.equal(parseDuration(0, 'x'), 0);
  assert.equal(parseDuration(250, 'x'), 250);
  assert.equal(parseDuration(1.5, 'x'), 1.5);
});

test('nginx unit strings', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1m30s', 90_000],
    ['1h 5m', 3_900_000],
    ['1s500ms', 1500],
    [' 5s ', 5000],
    ['0s', 0],
    // A bare number string is seconds, as nginx reads `proxy_read_timeout 10;`.
    ['10', 10_000],
    ['0', 0],
  ];
  for (const [input, ms] of cases) assert.equal(parseDuration(input, 'x'), ms, input);
});

test('invalid durations name the path and the value', () => {
  for (const bad of ['10x', '', '  ', '-1s', '1.5s', '30s1m', '1s1s', '1m 10', 's', '10 s 5', 'ms', -1, NaN, Infinity, null, true, {}, [], '1e3']) {
    assert.throws(
      () => parseDuration(bad, 'upstreams.api.retry.timeout'),
      (err: unknown) =>
        err instanceof SwitchyardConfigError &&
        err.path === 'upstreams.api.retry.timeout' &&
        err.message.startsWith("upstreams.api.retry.timeout must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "),
      String(bad),
    );
  }
  assert.throws(() => parseDuration('10x', 'upstreams.api.retry.timeout'), {
    message: `upstreams.api.retry.timeout must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got "10x"`,
  });
});
