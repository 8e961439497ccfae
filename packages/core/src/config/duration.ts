/** @module Durations: milliseconds as numbers, or nginx time strings (`500ms`, `10s`, `1m30s`, `1h`, `2d`). */
import { describe, fail } from './describe.js';

const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
/** nginx requires units in decreasing order, each at most once (`1m30s`, not `30s1m`). */
const UNIT_RANK: Readonly<Record<string, number>> = { d: 0, h: 1, m: 2, s: 3, ms: 4 };
const TOKEN = /(\d+)\s*(ms|d|h|m|s)?\s*/y;

/**
 * Parse a duration into milliseconds.
 *
 * - a number is milliseconds (finite, >= 0; fractions are kept);
 * - a string uses nginx's `ngx_parse_time` units `ms s m h d`, combined in decreasing
 *   order (`'1m30s'`, `'1h 5m'`); a bare number string means **seconds**, as in nginx
 *   (`proxy_read_timeout 10;` is ten seconds), so `'10'` is 10000 ms.
 *
 * @example parseDuration('1m30s', 'retry.timeout') // 90000
 */
export function parseDuration(value: unknown, path: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const ms = parseTimeString(value.trim());
    if (ms !== undefined) return ms;
  }
  return fail(path, `must be a duration (ms number or '500ms'/'10s'/'1m'/'1h'), got ${describe(value)}`);
}

/** setTimeout's largest delay, 2^31-1 ms (about 24.8 days): a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `optionalDuration` for a value that becomes a timer (timeouts, intervals): above MAX_TIMER_MS it
 * is MAX_TIMER_MS, so `'30d'` waits 24.8 days instead of 1 ms.
 */
export function timerDuration(value: unknown, path: string, fallback: number): number {
  return Math.min(optionalDuration(value, path, fallback), MAX_TIMER_MS);
}

/** `parseDuration` for optional fields. */
export function optionalDuration(value: unknown, path: string, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value, path);
}

function parseTimeString(text: string): number | undefined {
  if (text === '') return undefined;
  let total = 0;
  let lastRank = -1;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) return undefined;
    const amount = Number(m[1]);
    const unit = m[2];
    if (unit === undefined) {
      // A bare number is seconds and only allowed as the whole value (nginx: trailing value without unit).
      if (start !== 0 || TOKEN.lastIndex !== text.length) return undefined;
      total = amount * 1000;
      break;
    }
    const rank = UNIT_RANK[unit]!;
    if (rank <= lastRank) return undefined;
    lastRank = rank;
    total += amount * UNIT_MS[unit]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}
