/** @module `sticky.secret`: the cookie carries `id.signature` (HMAC-SHA256, base64url), so a client cannot pick a server by forging it. */
import { createHmac, timingSafeEqual } from 'node:crypto';

function signature(secret: string, id: string): string {
  return createHmac('sha256', secret).update(id).digest('base64url');
}

export function signStickyValue(secret: string, id: string): string {
  return `${id}.${signature(secret, id)}`;
}

/** The id of a correctly signed value; undefined for an unsigned or badly signed one (treated as unbound). */
export function verifyStickyValue(secret: string, value: string): string | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(secret, id));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
}
