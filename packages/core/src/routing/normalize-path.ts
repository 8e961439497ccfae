/** @module Path normalisation before matching: what nginx's complex URI parsing does, so no trick escapes a location. */

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
/** Paths made only of these characters, without `//`, `/.` or a trailing `.` segment, are already normal. */
const PLAIN = /^\/(?!\/)(?:[A-Za-z0-9\-_~!$&'()*+,;=:@]|\/(?![/.])|\.(?!\.?(?:\/|$)))*$/;

/**
 * Normalise a request path (no query, no fragment) the way nginx builds `$uri`: percent-decode
 * every escape (`%2F` becomes a separator too), turn `\` into `/`, merge duplicate slashes and
 * resolve `.` and `..` segments (`/a/b/..` gives `/a/`).
 *
 * Returns `undefined`, never throws, for anything that is not a usable origin-form path: not
 * starting with `/`, a bad `%` escape, decoded bytes that are not UTF-8, a NUL byte, raw control
 * characters, spaces, `?` or `#`, or `..` climbing above the root (nginx answers 400 to these).
 *
 * @example normalizePath('/api/%2e%2e//admin/./x') // '/admin/x'
 */
export function normalizePath(rawPath: string): string | undefined {
  if (typeof rawPath !== 'string' || rawPath.charCodeAt(0) !== 0x2f) return undefined;
  if (PLAIN.test(rawPath)) return rawPath;
  const decoded = decode(rawPath);
  if (decoded === undefined) return undefined;
  const segments: string[] = [];
  let trailingSlash = false;
  for (const segment of decoded.split(/[/\\]/)) {
    trailingSlash = true;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
      continue;
    }
    segments.push(segment);
    trailingSlash = false;
  }
  if (segments.length === 0) return '/';
  return `/${segments.join('/')}${trailingSlash ? '/' : ''}`;
}

function decode(raw: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      const byte = hi * 16 + lo;
      if (byte === 0) return undefined;
      bytes.push(byte);
      i += 2;
    } else if (code <= 0x20 || code === 0x7f || code === 0x3f || code === 0x23) {
      return undefined;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      // A raw non-ASCII character (servers may hand them over as they came): keep it as UTF-8.
      const cp = raw.codePointAt(i)!;
      if (cp >= 0xd800 && cp <= 0xdfff) return undefined; // lone surrogate
      if (cp > 0xffff) i++;
      for (const b of encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
    }
  }
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) ascii = false;
  if (ascii) {
    let out = '';
    for (const b of bytes) out += String.fromCharCode(b);
    return out;
  }
  try {
    return decoder.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Characters kept as they are when a decoded path goes back on the wire (RFC 3986 pchar and `/`). */
const KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

/** Percent-encode a decoded path for an upstream request: everything but pchar and `/` (UTF-8, upper-case hex). */
export function encodePath(path: string): string {
  let out = '';
  for (const ch of path) {
    if (KEEP.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of encoder.encode(ch)) out += `%${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
  }
  return out;
}
