/** @module Request body limits (nginx `client_max_body_size`): `'1m'`, `'512k'`, `'2g'`, a number of bytes, 0 = unlimited. */
import { describe, fail } from './describe.js';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/** Bytes of a size as nginx writes it (`10m`, `512k`, `1g`, `1024`; case-insensitive units), or a number of bytes; 0 = no limit. */
export function parseBodySize(value: unknown, path: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) fail(path, `must be a whole number of bytes >= 0 or a size like '10m', got ${describe(value)}`);
    return value;
  }
  const m = typeof value === 'string' ? /^(\d+)([kKmMgG]?)$/.exec(value) : null;
  if (m === null) fail(path, `must be a size like '1m', '512k', '2g' or a number of bytes (0 = unlimited), got ${describe(value)}`);
  const bytes = Number(m[1]) * (UNITS[m[2]!.toLowerCase()] as number);
  if (!Number.isSafeInteger(bytes)) fail(path, `is too large, got ${describe(value)}`);
  return bytes;
}
