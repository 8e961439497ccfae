/** @module `retry`, `timeouts` and `healthCheck` blocks, each resolved over a base (the defaults, or an upstream's for a location). */
import type { ResolvedHealthCheck, ResolvedRetry, ResolvedTimeouts } from '../types.js';
import { DEFAULT_HEALTH_CHECK, DEFAULT_RETRY_BUDGET, RETRYABLE_STATUSES } from './defaults.js';
import { checkKeys, describe, expectObject, fail, optionalBoolean, optionalInteger } from './describe.js';
import { parseDuration, timerDuration } from './duration.js';
import { FrozenSet } from './frozen.js';
import { MAX_BUDGET_WINDOW_MS, MIN_BUDGET_WINDOW_MS } from '../forwarding/retry-budget.js';

const RETRY_KEYS = ['on', 'tries', 'timeout', 'nonIdempotent', 'budget'] as const;
const BUDGET_KEYS = ['percent', 'window', 'minPerSecond'] as const;
const TIMEOUT_KEYS = ['connect', 'read', 'send', 'websocketIdle'] as const;
const HEALTH_KEYS = ['path', 'interval', 'timeout', 'fails', 'passes', 'status', 'body', 'mandatory'] as const;
const FAILURE_KINDS = ['error', 'timeout', 'invalid_header'] as const;

/** Resolve `retry` field by field over `base` (a field left out keeps the base's value). */
export function resolveRetry(input: unknown, path: string, base: ResolvedRetry): ResolvedRetry {
  if (input === undefined) return base;
  const obj = expectObject(input, path, 'an object { on?, tries?, timeout?, nonIdempotent?, budget? }');
  checkKeys(obj, RETRY_KEYS, path);
  let { onError, onTimeout, onInvalidHeader, onStatus } = base;
  if (obj.on !== undefined) {
    if (!Array.isArray(obj.on)) fail(`${path}.on`, `must be an array of conditions, got ${describe(obj.on)}`);
    onError = onTimeout = onInvalidHeader = false;
    const statuses = new Set<number>();
    obj.on.forEach((condition: unknown, i) => {
      if (condition === 'error') onError = true;
      else if (condition === 'timeout') onTimeout = true;
      else if (condition === 'invalid_header') onInvalidHeader = true;
      else if (typeof condition === 'number' && RETRYABLE_STATUSES.includes(condition)) statuses.add(condition);
      else {
        const hint = typeof condition === 'string' && /^http_\d{3}$/.test(condition) ? ` (write ${condition.slice(5)})` : '';
        fail(
          `${path}.on[${i}]`,
          `must be ${FAILURE_KINDS.map((k) => `'${k}'`).join(', ')} or one of the statuses ${RETRYABLE_STATUSES.join(', ')}, got ${describe(condition)}${hint}`,
        );
      }
    });
    onStatus = new FrozenSet(statuses);
  }
  const budget = obj.budget === undefined ? base.budget : resolveRetryBudget(obj.budget, `${path}.budget`, base.budget);
  return Object.freeze({
    onError,
    onTimeout,
    onInvalidHeader,
    onStatus,
    tries: optionalInteger(obj.tries, `${path}.tries`, base.tries, 0),
    timeoutMs: timerDuration(obj.timeout, `${path}.timeout`, base.timeoutMs),
    nonIdempotent: optionalBoolean(obj.nonIdempotent, `${path}.nonIdempotent`, base.nonIdempotent),
    budget,
  });
}

/** `retry.budget`: false, or `{ percent?, window?, minPerSecond? }` over the base's (or the default) values. */
function resolveRetryBudget(input: unknown, path: string, base: ResolvedRetry['budget']): ResolvedRetry['budget'] {
  if (input === false) return false;
  const b = expectObject(input, path, 'an object { percent?, window?, minPerSecond? } or false');
  // The concurrency budget's option, renamed with the move to a rate: say so instead of "unknown".
  if (b.minConcurrent !== undefined)
    fail(
      `${path}.minConcurrent`,
      "was replaced by minPerSecond (the budget is a rate now: retries <= percent% of the window's requests + minPerSecond x window)",
    );
  checkKeys(b, BUDGET_KEYS, path);
  const over = base === false ? DEFAULT_RETRY_BUDGET : base;
  let percent = over.percent;
  if (b.percent !== undefined) {
    if (typeof b.percent !== 'number' || !Number.isFinite(b.percent) || b.percent < 0 || b.percent > 100) {
      fail(`${path}.percent`, `must be a number from 0 to 100, got ${describe(b.percent)}`);
    }
    percent = b.percent;
  }
  let windowMs = over.windowMs;
  if (b.window !== undefined) {
    windowMs = parseDuration(b.window, `${path}.window`);
    if (windowMs < MIN_BUDGET_WINDOW_MS || windowMs > MAX_BUDGET_WINDOW_MS)
      fail(`${path}.window`, `must be a duration from 1s to 60s, got ${describe(b.window)}`);
  }
  let minPerSecond = over.minPerSecond;
  if (b.minPerSecond !== undefined) {
    if (typeof b.minPerSecond !== 'number' || !Number.isFinite(b.minPerSecond) || b.minPerSecond < 0) {
      fail(`${path}.minPerSecond`, `must be a non-negative number, got ${describe(b.minPerSecond)}`);
    }
    minPerSecond = b.minPerSecond;
  }
  return Object.freeze({ percent, windowMs, minPerSecond });
}

/** Resolve `timeouts` field by field over `base`; 0 means no limit. */
export function resolveTimeouts(input: unknown, path: string, base: ResolvedTimeouts): ResolvedTimeouts {
  if (input === undefined) return base;
  const obj = expectObject(input, path, 'an object { connect?, read?, send?, websocketIdle? }');
  checkKeys(obj, TIMEOUT_KEYS, path);
  const resolved: ResolvedTimeouts = {
    connectMs: timerDuration(obj.connect, `${path}.connect`, base.connectMs),
    readMs: timerDuration(obj.read, `${path}.read`, base.readMs),
    sendMs: timerDuration(obj.send, `${path}.send`, base.sendMs),
  };
  // Left out unless given anywhere: idle tunnels then follow the effective `read`, as in nginx.
  const idle = obj.websocketIdle === undefined ? base.websocketIdleMs : timerDuration(obj.websocketIdle, `${path}.websocketIdle`, 0);
  return Object.freeze(idle === undefined ? resolved : { ...resolved, websocketIdleMs: idle });
}

/** Resolve `healthCheck` over `DEFAULT_HEALTH_CHECK`; `undefined` (no active checks) when not given. */
export function resolveHealthCheck(input: unknown, path: string): ResolvedHealthCheck | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, path, 'an object { path?, interval?, timeout?, ... }');
  checkKeys(obj, HEALTH_KEYS, path);
  const d = DEFAULT_HEALTH_CHECK;
  let probePath = d.path;
  if (obj.path !== undefined) {
    // Printable ASCII only: node:http refuses other characters in a request path on every probe.
    if (typeof obj.path !== 'string' || !/^\/[\x21-\x22\x24-\x7e]*$/.test(obj.path)) {
      fail(`${path}.path`, `must be a path starting with '/' (printable ASCII, percent-encode the rest; no spaces or '#'), got ${describe(obj.path)}`);
    }
    probePath = obj.path;
  }
  const intervalMs = positiveDuration(obj.interval, `${path}.interval`, d.intervalMs);
  const timeoutMs = positiveDuration(obj.timeout, `${path}.timeout`, d.timeoutMs);
  let body = d.body;
  if (obj.body !== undefined) {
    if (obj.body instanceof RegExp) {
      // A global or sticky RegExp keeps lastIndex between probes and would fail every other one.
      body = new RegExp(obj.body.source, obj.body.flags.replace(/[gy]/g, ''));
    } else if (typeof obj.body === 'string') {
      body = obj.body;
    } else {
      fail(`${path}.body`, `must be a RegExp or a string, got ${describe(obj.body)}`);
    }
  }
  return Object.freeze({
    path: probePath,
    intervalMs,
    timeoutMs,
    fails: optionalInteger(obj.fails, `${path}.fails`, d.fails, 1),
    passes: optionalInteger(obj.passes, `${path}.passes`, d.passes, 1),
    status: obj.status === undefined ? d.status : parseStatusRanges(obj.status, `${path}.status`),
    body,
    mandatory: optionalBoolean(obj.mandatory, `${path}.mandatory`, d.mandatory),
  });
}

function positiveDuration(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = timerDuration(value, path, fallback);
  if (ms <= 0) fail(path, `must be a duration above 0, got ${describe(value)}`);
  return ms;
}

/**
 * Parse a health-check status list: `'200'`, `'200-399'`, `'2xx'`, or a comma list of those
 * (`'200-299, 404'`). Statuses are 100..599; a range must not run backwards.
 *
 * @example parseStatusRanges('2xx,304', 'healthCheck.status') // [[200, 299], [304, 304]]
 */
export function parseStatusRanges(value: unknown, path: string): ReadonlyArray<readonly [number, number]> {
  const expected = "must be statuses like '200', '200-399', '2xx' or a comma list of them";
  if (typeof value !== 'string') fail(path, `${expected}, got ${describe(value)}`);
  const ranges: Array<readonly [number, number]> = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    let range: readonly [number, number] | undefined;
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/i.exec(item)) !== null) {
      const c = Number(m[1]) * 100;
      range = [c, c + 99];
    } else if ((m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(item)) !== null) {
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      if (lo >= 100 && hi <= 599 && lo <= hi) range = [lo, hi];
    }
    if (range === undefined) fail(path, `${expected}, got ${describe(value)} (bad item ${JSON.stringify(item)})`);
    ranges.push(Object.freeze(range));
  }
  return Object.freeze(ranges);
}
