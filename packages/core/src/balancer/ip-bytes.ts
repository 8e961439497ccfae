/** @module The client-address bytes nginx's ip_hash feeds its hash: IPv4 /24, whole IPv6, IPv4-mapped IPv6 as IPv4. */

/** nginx's ngx_http_upstream_ip_hash_pseudo_addr, used when the address is not IP (unix sockets). */
const PSEUDO = new Uint8Array(3);

function parseIPv4(text: string, start: number, out: Uint8Array, at: number): boolean {
  let octet = 0;
  let digits = 0;
  let part = 0;
  for (let i = start; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* '.' ends the last octet */
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return false;
    } else if (c === 46) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = octet;
      octet = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

function parseIPv6(text: string, out: Uint8Array): boolean {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const gap = s.indexOf('::');
  if (gap !== s.lastIndexOf('::')) return false;
  const headText = gap >= 0 ? s.slice(0, gap) : s;
  const tailText = gap >= 0 ? s.slice(gap + 2) : '';
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  const words: number[] = [];
  const all = gap >= 0 ? [...head, ...tail] : head;
  let v4: Uint8Array | undefined;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    v4 = new Uint8Array(4);
    if (!parseIPv4(last, 0, v4, 0)) return false;
  }
  const hexCount = all.length - (v4 ? 1 : 0);
  const total = hexCount + (v4 ? 2 : 0);
  if (gap < 0 ? total !== 8 : total > 7) return false;
  const parseWord = (w: string): number => (/^[0-9a-fA-F]{1,4}$/.test(w) ? parseInt(w, 16) : -1);
  const headWords = v4 && gap < 0 ? head.slice(0, -1) : head;
  const tailWords = v4 && gap >= 0 ? tail.slice(0, -1) : tail;
  for (const w of headWords) words.push(parseWord(w));
  if (gap >= 0) {
    const fill = 8 - (v4 ? 2 : 0) - headWords.length - tailWords.length;
    for (let i = 0; i < fill; i++) words.push(0);
    for (const w of tailWords) words.push(parseWord(w));
  }
  if (words.some((w) => w < 0)) return false;
  for (let i = 0; i < words.length; i++) {
    out[i * 2] = (words[i] as number) >> 8;
    out[i * 2 + 1] = (words[i] as number) & 0xff;
  }
  if (v4) out.set(v4, 12);
  return words.length * 2 + (v4 ? 4 : 0) === 16;
}

const scratchV4 = new Uint8Array(4);
const scratchV4Net = scratchV4.subarray(0, 3);

/**
 * The bytes ip_hash hashes for `ip`: the first three octets of IPv4 (also for `::ffff:a.b.c.d`),
 * all 16 bytes of other IPv6 addresses, nginx's three zero bytes for anything else.
 * The result may be a shared buffer: use it before the next call.
 */
export function ipHashBytes(ip: string | undefined): Uint8Array {
  if (ip === undefined || ip === '') return PSEUDO;
  if (ip.includes(':')) {
    const bytes = new Uint8Array(16);
    if (!parseIPv6(ip, bytes)) return PSEUDO;
    let mapped = bytes[10] === 0xff && bytes[11] === 0xff;
    for (let i = 0; mapped && i < 10; i++) if (bytes[i] !== 0) mapped = false;
    return mapped ? bytes.subarray(12, 15) : bytes;
  }
  return parseIPv4(ip, 0, scratchV4, 0) ? scratchV4Net : PSEUDO;
}
