/** @module `sticky.secret`: the value a bound request carries, Angie's MD5 of `id + secret` by default or switchyard's signed `id.signature` (HMAC-SHA256) as an opt-in. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Angie's sticky_secret (ngx_http_upstream_sticky_hash): the lowercase hex MD5 of the server's id
 * followed by the secret, so the value no longer shows which address it names. The same value on
 * both sides keeps a client's binding when its pool moves from Angie.
 */
export function hashedStickyValue(secret: string, id: string): string {
  return createHash('md5').update(id).update(secret).digest('hex');
}

function signature(secret: string, id: string): string {
  return createHmac('sha256', secret).update(id).digest('base64url');
}

/** `sign: 'hmac-sha256'`: `id.signature`. */
export function signStickyValue(secret: string, id: string): string {
  return `${id}.${signature(secret, id)}`;
}

/** The id of a correctly signed value; undefined for an unsigned or badly signed one. */
export function verifyStickyValue(secret: string, value: string): string | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(secret, id));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
