/** @module nginx allow/deny (ngx_http_access_module): addresses, CIDR ranges (IPv4 and IPv6) and `all`, the first rule that matches the client decides. */
import { parseAddress } from '../config/trust-proxy.js';

/** One compiled rule: `bytes` undefined is `all`; an IPv4 rule never matches an IPv6 client, nor the reverse (nginx keeps them apart). */
export interface AccessRule {
  readonly deny: boolean;
  readonly bytes: Uint8Array | undefined;
  readonly bits: number;
  /** As written, for messages. */
  readonly text: string;
}

/**
 * Parse `ADDRESS`, `ADDRESS/BITS` or `all` (nginx's ngx_ptocidr): a CIDR with bits set past its
 * prefix is accepted with those bits cleared (nginx warns "low address bits ... are meaningless",
 * `hostBits` says so). Throws `TypeError` with the reason when invalid.
 */
export function parseAccessRule(text: string, deny: boolean): { rule: AccessRule; hostBits: boolean } {
  if (text === 'all') return { rule: { deny, bytes: undefined, bits: 0, text }, hostBits: false };
  if (text.startsWith('unix:')) throw new TypeError('"unix:" rules do not apply: switchyard listens on TCP');
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseAddress(addressText);
  if (bytes === undefined || addressText.includes('%')) throw new TypeError(`"${text}" is not an address, a CIDR range or "all"`);
  const max = bytes.length * 8;
  let bits = max;
  if (slash !== -1) {
    const bitsText = text.slice(slash + 1);
    const mappedOffset = bytes.length === 4 && addressText.includes(':') ? 96 : 0;
    bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) - mappedOffset : NaN;
    if (!(bits >= 0 && bits <= max)) throw new TypeError(`"${text}" has an invalid prefix length /${bitsText}`);
  }
  const masked = Uint8Array.from(bytes, (b, i) => b & byteMask(bits - i * 8));
  const hostBits = masked.some((b, i) => b !== bytes[i]);
  return { rule: { deny, bytes: masked, bits, text }, hostBits };
}

function byteMask(bits: number): number {
  if (bits >= 8) return 0xff;
  if (bits <= 0) return 0;
  return (0xff << (8 - bits)) & 0xff;
}

/**
 * The verdict of the rules for a client address: `'deny'`, `'allow'`, or `'none'` when no rule
 * matches (nginx then declines: the request goes on). An IPv4-mapped IPv6 client is an IPv4 one.
 */
export function checkAccess(rules: readonly AccessRule[], clientIp: string): 'allow' | 'deny' | 'none' {
  if (rules.length === 0) return 'none';
  const client = parseAddress(clientIp);
  for (const rule of rules) {
    if (rule.bytes === undefined) return rule.deny ? 'deny' : 'allow';
    if (client === undefined || client.length !== rule.bytes.length) continue;
    if (matches(client, rule)) return rule.deny ? 'deny' : 'allow';
  }
  return 'none';
}

function matches(client: Uint8Array, rule: AccessRule): boolean {
  const bytes = rule.bytes!;
  for (let i = 0; i < bytes.length; i++) {
    if ((client[i]! & byteMask(rule.bits - i * 8)) !== bytes[i]) return false;
  }
  return true;
}
