/** @module The client's address as upstreams should see it (IPv4-mapped IPv6 shown as plain IPv4). */

export function displayAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
