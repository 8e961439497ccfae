/** @module nginx realip with `real_ip_recursive on`, bounded: behind trusted proxies the client is the rightmost untrusted X-Forwarded-For address, looked for in a capped part of the header. */

/** Hops examined from the right; a real chain of proxies is a handful (nginx's own realip has no cap, but its 8 KiB header limit bounds it). */
export const MAX_FORWARDED_HOPS = 32;

/** Characters of X-Forwarded-For considered, from the right: nginx's default `large_client_header_buffers` is 8k, so nginx refuses longer header lines. */
export const MAX_FORWARDED_LENGTH = 8192;

/**
 * The client address for a request from a trusted peer: walking X-Forwarded-For from the right,
 * the first address `trusted` refuses; when every examined hop is trusted, the leftmost examined
 * one (nginx takes the leftmost when all are trusted). Only the last `MAX_FORWARDED_LENGTH`
 * characters (repeated headers joined with `,`, a hop cut by that window dropped) and the last
 * `MAX_FORWARDED_HOPS` non-empty hops are examined, so a forged chain of thousands of hops costs
 * the same as a short one. Returns `peerIp` when there is no hop.
 */
export function realClientIp(peerIp: string, header: string | readonly string[] | undefined, trusted: (ip: string) => boolean): string {
  if (header === undefined) return peerIp;
  let value = typeof header === 'string' ? header : header.join(',');
  if (value.length > MAX_FORWARDED_LENGTH) {
    value = value.slice(-MAX_FORWARDED_LENGTH);
    const comma = value.indexOf(',');
    value = comma === -1 ? '' : value.slice(comma + 1);
  }
  let client = peerIp;
  let end = value.length;
  for (let hops = 0; end > 0 && hops < MAX_FORWARDED_HOPS;) {
    const comma = value.lastIndexOf(',', end - 1);
    const hop = value.slice(comma + 1, end).trim();
    end = comma === -1 ? 0 : comma;
    if (hop === '') continue;
    hops++;
    client = hop;
    if (!trusted(hop)) break;
  }
  return client;
}
