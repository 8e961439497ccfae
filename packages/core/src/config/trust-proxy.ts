/** @module `trustProxy`: which peer addresses may send X-Forwarded-* that we keep. */
import { isIPv4, isIPv6 } from 'node:net';
import { own } from './own.js';

/** A parsed address range: 4 or 16 bytes and a prefix length. */
export interface Range {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Named ranges, as Express's `trust proxy` presets (plus `private` for all three private families). */
const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Longer text is never an address, so it is refused without parsing or caching it. */
const MAX_ADDRESS_LENGTH = 64;

/** The accepted keywords for `trustProxy` entries. */
export const TRUST_PROXY_KEYWORDS: readonly string[] = Object.freeze(Object.keys(KEYWORDS));

/**
 * Build the per-request predicate for `trustProxy`: `true` trusts every peer, `false` none, and a
 * list trusts the given IPv4/IPv6 addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) and keywords
 * (`loopback`, `linklocal`, `uniquelocal`, `private`). IPv4-mapped IPv6 peers (`::ffff:10.1.2.3`)
 * are compared as IPv4. Throws `TypeError` for an entry that is neither.
 *
 * @example createTrustPredicate(['loopback', '10.0.0.0/8'])('::ffff:10.1.2.3') // true
 */
export function createTrustPredicate(value: boolean | readonly string[]): (peerIp: string) => boolean {
  if (value === true) return () => true;
  if (value === false) return () => false;
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const entry of value) {
    for (const range of parseTrustEntry(entry)) (range.bytes.length === 4 ? v4 : v6).push(range);
  }
  if (v4.length === 0 && v6.length === 0) return () => false;
  // Peers are few (the proxies in front, or a bounded set of clients): remember verdicts instead
  // of parsing the address on every request. Cleared when full so memory stays bounded.
  const cache = new Map<string, boolean>();
  return (peerIp) => {
    // No address is this long (45 characters plus a zone id); X-Forwarded-For hops can be anything.
    if (typeof peerIp !== 'string' || peerIp.length > MAX_ADDRESS_LENGTH) return false;
    const known = cache.get(peerIp);
    if (known !== undefined) return known;
    const bytes = parseAddress(peerIp);
    let trusted = false;
    if (bytes !== undefined) {
      for (const range of bytes.length === 4 ? v4 : v6) {
        if (inRange(bytes, range)) {
          trusted = true;
          break;
        }
      }
    }
    if (cache.size >= 1024) cache.clear();
    cache.set(peerIp, trusted);
    return trusted;
  };
}

/** Parse one `trustProxy` entry; throws `TypeError` with the reason when it is invalid. */
export function parseTrustEntry(entry: string): Range[] {
  if (typeof entry !== 'string') throw new TypeError('must be an IP address, a CIDR range or a keyword');
  const keyword = own(KEYWORDS, entry.toLowerCase());
  if (keyword !== undefined) return keyword.map((cidr) => parseCidr(cidr));
  return [parseCidr(entry)];
}

function parseCidr(text: string): Range {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseAddress(addressText);
  if (bytes === undefined) {
    throw new TypeError(`must be an IP address, a CIDR range or one of ${TRUST_PROXY_KEYWORDS.join(', ')}`);
  }
  const max = bytes.length * 8;
  let bits = max;
  if (slash !== -1) {
    const bitsText = text.slice(slash + 1);
    // A mapped address (`::ffff:10.0.0.0/104`) was reduced to IPv4: its prefix counts the 96 mapped bits.
    const mappedOffset = bytes.length === 4 && isIPv6(addressText) ? 96 : 0;
    bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) - mappedOffset : NaN;
    if (!(bits >= 0 && bits <= max)) throw new TypeError(`has an invalid prefix length /${bitsText}`);
  }
  return { bytes, bits };
}

function inRange(bytes: Uint8Array, range: Range): boolean {
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i]! ^ range.bytes[i]!) & mask) !== 0) return false;
  }
  return true;
}

/** 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; `undefined` when not an address. */
export function parseAddress(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.'), Number);
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  if (!isIPv6(address)) return undefined;
  const bytes = parseIPv6(address);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Only called on text that `isIPv6` accepted. */
function parseIPv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let tail = text;
  let v4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    v4 = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    tail = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head = '', rest] = tail.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - restGroups.length).fill('0'), ...restGroups];
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  if (v4.length === 4) out.set(v4, 12);
  return out;
}
