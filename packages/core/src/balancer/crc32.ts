/** @module CRC-32 (IEEE, as nginx's ngx_crc32) over strings, in the split init/update/final form the hash modules use. */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** ngx_crc32_init. */
export const CRC32_INIT = 0xffffffff;

/** ngx_crc32_update over raw bytes. */
export function crc32UpdateBytes(crc: number, bytes: ArrayLike<number>): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c >>> 0;
}

/** ngx_crc32_update over the 4 little-endian bytes of `word` (the ketama chain's previous point), unrolled. */
export function crc32Update4(crc: number, word: number): number {
  let c = crc;
  c = (TABLE[(c ^ word) & 0xff] as number) ^ (c >>> 8);
  c = (TABLE[(c ^ (word >>> 8)) & 0xff] as number) ^ (c >>> 8);
  c = (TABLE[(c ^ (word >>> 16)) & 0xff] as number) ^ (c >>> 8);
  c = (TABLE[(c ^ (word >>> 24)) & 0xff] as number) ^ (c >>> 8);
  return c >>> 0;
}

/** ngx_crc32_update over the UTF-8 bytes of `text` (ASCII fast path: no Buffer). */
export function crc32Update(crc: number, text: string): number {
  let c = crc;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return crc32UpdateBytes(crc, Buffer.from(text, 'utf8'));
    c = (TABLE[(c ^ code) & 0xff] as number) ^ (c >>> 8);
  }
  return c >>> 0;
}

/** ngx_crc32_final. */
export function crc32Final(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

/** ngx_crc32_long / ngx_crc32_short of a whole string. */
export function crc32(text: string): number {
  return crc32Final(crc32Update(CRC32_INIT, text));
}
