/** @module The htpasswd hash formats nginx's auth_basic reads (ngx_crypt.c and glibc crypt): {PLAIN}, {SHA}, {SSHA}, $apr1$ and $1$ (MD5-crypt), $5$/$6$ (SHA-crypt), with node:crypto; bcrypt through the optional peer bcryptjs. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A password check against one stored hash: a boolean, or a promise of one (bcrypt). */
export type PasswordCheck = (password: Buffer) => boolean | Promise<boolean>;

/** What the optional bcrypt peer must offer. */
interface BcryptLike {
  compare(password: string, hash: string): Promise<boolean>;
}

/** The error text when a bcrypt hash is found and bcryptjs cannot be loaded. */
export const BCRYPT_MISSING = 'bcrypt hashes ($2y$, $2b$, $2a$) need the optional peer dependency bcryptjs (npm install bcryptjs)';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The check for one stored hash, or a `TypeError` naming why it cannot be read: DES crypt (13
 * characters), yescrypt (`$y$`) and other crypt(3) formats nginx leaves to the system's libc are
 * not implemented here.
 */
export function passwordCheck(hash: string): PasswordCheck {
  if (hash.startsWith('{PLAIN}')) {
    // The hash is the file's bytes as latin1 text: the password is compared byte for byte.
    const expected = Buffer.from(hash.slice(7), 'latin1');
    return (pw) => same(pw, expected);
  }
  if (hash.startsWith('{SHA}')) return (pw) => sameText(`{SHA}${createHash('sha1').update(pw).digest('base64')}`, hash);
  if (hash.startsWith('{SSHA}')) {
    const decoded = Buffer.from(hash.slice(6), 'base64');
    // nginx takes a short or broken value as 20 bytes of digest and no salt.
    const salt = decoded.length < 20 ? Buffer.alloc(0) : decoded.subarray(20);
    return (pw) => sameText(`{SSHA}${Buffer.concat([createHash('sha1').update(pw).update(salt).digest(), salt]).toString('base64')}`, hash);
  }
  if (hash.startsWith('$apr1$') || hash.startsWith('$1$')) {
    const magic = hash.startsWith('$1$') ? '$1$' : '$apr1$';
    return (pw) => sameText(md5Crypt(pw, hash, magic), hash);
  }
  if (hash.startsWith('$5$') || hash.startsWith('$6$')) {
    const settings = shaCryptSettings(hash);
    return (pw) => sameText(shaCrypt(pw, settings), hash);
  }
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
    const bcrypt = loadBcrypt();
    return (pw) => bcrypt.compare(pw.toString('utf8'), hash);
  }
  if (hash.startsWith('$2')) throw new TypeError('is not a valid bcrypt hash ($2y$NN$ and 53 characters)');
  if (hash.startsWith('$y$') || hash.startsWith('$gy$') || hash.startsWith('$7$'))
    throw new TypeError('is a yescrypt/scrypt hash, which switchyard does not check: write it with htpasswd -B (bcrypt), -m (apr1) or openssl passwd -6');
  if (/^[./A-Za-z0-9]{13}$/.test(hash))
    throw new TypeError('looks like a DES crypt hash (htpasswd -d), which switchyard does not check (8-character passwords, broken): use htpasswd -B or -m');
  throw new TypeError('is no hash format nginx reads here ({PLAIN}, {SHA}, {SSHA}, $apr1$, $1$, $5$, $6$, $2y$)');
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function sameText(computed: string, stored: string): boolean {
  return same(Buffer.from(computed), Buffer.from(stored));
}

/** bcryptjs from wherever core sees it, else from the application's directory (pnpm's strict layout). */
function loadBcrypt(): BcryptLike {
  const specifier = 'bcryptjs';
  for (const base of [join(process.cwd(), 'package.json')]) {
    try {
      const mod = createRequire(base)(specifier) as { compare?: unknown; default?: { compare?: unknown } };
      const found = typeof mod.compare === 'function' ? mod : mod.default;
      if (found !== undefined && typeof found.compare === 'function') return found as BcryptLike;
    } catch {
      // not installed there
    }
  }
  throw new TypeError(BCRYPT_MISSING);
}

function to64(value: number, n: number): string {
  let out = '';
  for (let v = value; n-- > 0; v >>>= 6) out += ITOA64[v & 0x3f];
  return out;
}

/** Poul-Henning Kamp's MD5-crypt, which Apache's `$apr1$` is with another magic (ngx_crypt_apr1, glibc's `$1$`). */
export function md5Crypt(pw: Buffer, setting: string, magic: '$1$' | '$apr1$'): string {
  const rest = setting.slice(magic.length);
  const end = rest.indexOf('$');
  const salt = Buffer.from((end === -1 ? rest : rest.slice(0, end)).slice(0, 8));
  const ctx = createHash('md5').update(pw).update(magic).update(salt);
  const alt = createHash('md5').update(pw).update(salt).update(pw).digest();
  for (let pl = pw.length; pl > 0; pl -= 16) ctx.update(alt.subarray(0, Math.min(pl, 16)));
  for (let i = pw.length; i !== 0; i >>>= 1) ctx.update((i & 1) !== 0 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update((i & 1) !== 0 ? pw : final);
    if (i % 3 !== 0) c.update(salt);
    if (i % 7 !== 0) c.update(pw);
    c.update((i & 1) !== 0 ? final : pw);
    final = c.digest();
  }
  const f = final;
  return (
    `${magic}${salt.toString()}$` +
    to64((f[0]! << 16) | (f[6]! << 8) | f[12]!, 4) +
    to64((f[1]! << 16) | (f[7]! << 8) | f[13]!, 4) +
    to64((f[2]! << 16) | (f[8]! << 8) | f[14]!, 4) +
    to64((f[3]! << 16) | (f[9]! << 8) | f[15]!, 4) +
    to64((f[4]! << 16) | (f[10]! << 8) | f[5]!, 4) +
    to64(f[11]!, 2)
  );
}

interface ShaCryptSettings {
  readonly algorithm: 'sha256' | 'sha512';
  readonly prefix: string;
  readonly salt: Buffer;
  readonly rounds: number;
  readonly custom: boolean;
}

/** glibc's limits: 1,000 to 999,999,999 rounds; more than this many is refused here (each check blocks the event loop). */
export const MAX_SHA_CRYPT_ROUNDS = 1_000_000;

function shaCryptSettings(hash: string): ShaCryptSettings {
  const prefix = hash.slice(0, 3);
  let rest = hash.slice(3);
  let rounds = 5000;
  let custom = false;
  const m = /^rounds=(\d+)\$/.exec(rest);
  if (m !== null) {
    rounds = Math.min(999_999_999, Math.max(1000, Number(m[1])));
    custom = true;
    rest = rest.slice(m[0].length);
  }
  if (rounds > MAX_SHA_CRYPT_ROUNDS) throw new TypeError(`has rounds=${rounds}: more than ${MAX_SHA_CRYPT_ROUNDS} would hold the event loop on every check`);
  const end = rest.indexOf('$');
  const salt = Buffer.from((end === -1 ? rest : rest.slice(0, end)).slice(0, 16));
  return { algorithm: prefix === '$5$' ? 'sha256' : 'sha512', prefix, salt, rounds, custom };
}

const SHA256_ORDER = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
] as const;
const SHA512_ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

/** Ulrich Drepper's SHA-crypt (glibc `$5$` SHA-256, `$6$` SHA-512). */
function shaCrypt(pw: Buffer, s: ShaCryptSettings): string {
  const H = (): ReturnType<typeof createHash> => createHash(s.algorithm);
  const size = s.algorithm === 'sha256' ? 32 : 64;
  const b = H().update(pw).update(s.salt).update(pw).digest();
  const a = H().update(pw).update(s.salt);
  let cnt = pw.length;
  for (; cnt > size; cnt -= size) a.update(b);
  a.update(b.subarray(0, cnt));
  for (cnt = pw.length; cnt > 0; cnt >>>= 1) a.update((cnt & 1) !== 0 ? b : pw);
  const alt = a.digest();
  const dp = H();
  for (let i = 0; i < pw.length; i++) dp.update(pw);
  const p = repeatTo(dp.digest(), pw.length);
  const ds = H();
  for (let i = 0; i < 16 + alt[0]!; i++) ds.update(s.salt);
  const sb = repeatTo(ds.digest(), s.salt.length);
  let c = alt;
  for (let i = 0; i < s.rounds; i++) {
    const h = H();
    h.update((i & 1) !== 0 ? p : c);
    if (i % 3 !== 0) h.update(sb);
    if (i % 7 !== 0) h.update(p);
    h.update((i & 1) !== 0 ? c : p);
    c = h.digest();
  }
  let out = `${s.prefix}${s.custom ? `rounds=${s.rounds}$` : ''}${s.salt.toString()}$`;
  for (const [x, y, z] of s.algorithm === 'sha256' ? SHA256_ORDER : SHA512_ORDER) out += to64((c[x]! << 16) | (c[y]! << 8) | c[z]!, 4);
  out += s.algorithm === 'sha256' ? to64((c[31]! << 8) | c[30]!, 3) : to64(c[63]!, 2);
  return out;
}

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}
