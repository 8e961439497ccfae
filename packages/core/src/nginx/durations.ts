/** @module nginx time values (`30s`, `1m30s`, `500ms`, bare number = seconds) turned into switchyard Duration strings. */

const UNIT_MS: Record<string, number> = {
  y: 365 * 86_400_000,
  M: 30 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
/** nginx (ngx_parse_time) requires units from the largest to the smallest. */
const ORDER = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];
const KEEP_AS_WRITTEN = new Set(['h', 'm', 's', 'ms']);

/**
 * Convert an nginx time value to a switchyard Duration string, or `undefined`
 * when nginx would reject it. Values written with `h`/`m`/`s`/`ms` are kept as
 * written (`'30s'`, `'1m30s'`) so the options read like the nginx file; a bare
 * number is seconds in nginx and becomes `'<n>s'`; days, weeks, months and
 * years become milliseconds (`'86400000ms'`) because switchyard durations stop
 * at hours.
 */
export function nginxDuration(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  // Tokenise with a sticky regex instead of one anchored `(...)+` pattern: that one backtracks
  // exponentially on a long run of digits followed by a bad character.
  const parts: RegExpMatchArray[] = [];
  const token = /(\d+)(ms|[yMwdhms])?\s*/y;
  while (token.lastIndex < text.length) {
    const m = token.exec(text);
    if (m === null) return undefined;
    parts.push(m);
  }
  let rank = -1;
  let ms = 0;
  let keep = !/\s/.test(text);
  for (let idx = 0; idx < parts.length; idx++) {
    const [, digits, unit] = parts[idx] as RegExpMatchArray;
    if (unit === undefined) {
      if (idx !== parts.length - 1) return undefined;
      if (parts.length === 1) return `${Number(digits)}s`;
      ms += Number(digits) * 1000;
      keep = false;
      continue;
    }
    const r = ORDER.indexOf(unit);
    if (r <= rank) return undefined;
    rank = r;
    if (!KEEP_AS_WRITTEN.has(unit)) keep = false;
    ms += Number(digits) * (UNIT_MS[unit] as number);
  }
  if (!Number.isSafeInteger(ms)) return undefined;
  return keep ? text : `${ms}ms`;
}
