/** @module nginx auth_basic (ngx_http_auth_basic_module): the htpasswd file read line by line as nginx does, the Basic credentials of a request checked against it. */
import { createHash } from 'node:crypto';
import { passwordCheck, type PasswordCheck } from './htpasswd-hashes.js';

/** A user table: the first line of each user name, as nginx uses the first match. */
export interface BasicAuthUsers {
  readonly checks: ReadonlyMap<string, PasswordCheck>;
  /** Credentials checked right recently (SHA-256 of `user:password`), so a slow hash runs once per client, not per request. */
  readonly verified: Set<string>;
}

/** At most this many verified credentials are remembered per user table; the set is emptied when full. */
export const VERIFIED_CACHE_SIZE = 1024;

/** A line of an htpasswd file that cannot be used: its 1-based number and why. */
export class HtpasswdLineError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

/**
 * Read an htpasswd file's bytes (as latin1 text, one character per byte) as nginx scans it: lines starting with `#` or CR and empty lines are
 * skipped, a line is `user:hash` (anything after a second `:` is a comment), the first line of a
 * user wins. Each hash is compiled now: a format switchyard cannot check throws `HtpasswdLineError`
 * with the line (nginx would answer 500 for that user at run time instead).
 */
export function readHtpasswd(text: string): BasicAuthUsers {
  const checks = new Map<string, PasswordCheck>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw === '' || raw.startsWith('#') || raw.startsWith('\r')) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const colon = line.indexOf(':');
    // nginx never matches a line without ':' (the login must be followed by one).
    if (colon <= 0) return;
    const user = line.slice(0, colon);
    if (checks.has(user)) return;
    const rest = line.slice(colon + 1);
    const end = rest.search(/[:\r]/);
    const hash = end === -1 ? rest : rest.slice(0, end);
    try {
      checks.set(user, passwordCheck(hash));
    } catch (err) {
      throw new HtpasswdLineError(i + 1, `the hash of user "${user}" ${(err as Error).message}`);
    }
  });
  return { checks, verified: new Set() };
}

/** Users given in code (`basicAuth.users`): name to hash. Throws `TypeError` naming the user. */
export function usersFromRecord(users: Readonly<Record<string, string>>): BasicAuthUsers {
  const checks = new Map<string, PasswordCheck>();
  for (const [user, hash] of Object.entries(users)) {
    try {
      // Compared as bytes, like a file's: the UTF-8 bytes of the name and of a {PLAIN} password.
      checks.set(latin1(user), passwordCheck(latin1(hash)));
    } catch (err) {
      throw new TypeError(`${JSON.stringify(user)} ${(err as Error).message}`);
    }
  }
  return { checks, verified: new Set() };
}

function latin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const BASE64 = /^[A-Za-z0-9+/]*$/;

/**
 * The user and password of `Authorization: Basic ...` as nginx reads them (ngx_http_auth_basic_user):
 * "Basic " in any case, spaces, strict base64 up to the first `=`, a user of at least one byte
 * before the first `:`. `undefined` when there are none (nginx answers 401 then).
 */
export function basicCredentials(header: string | undefined): { user: string; password: Buffer } | undefined {
  if (header === undefined || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  let encoded = header.slice(6).replace(/^ +/, '');
  if (encoded === '') return undefined;
  const pad = encoded.indexOf('=');
  if (pad !== -1) encoded = encoded.slice(0, pad);
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) return undefined;
  const decoded = Buffer.from(encoded, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon <= 0) return undefined;
  return { user: decoded.subarray(0, colon).toString('latin1'), password: decoded.subarray(colon + 1) };
}

/**
 * Whether the request's credentials are right: a boolean, or a promise for a bcrypt hash. A right
 * one is remembered (bounded), so the next request with it costs a SHA-256 only.
 */
export function checkBasicAuth(users: BasicAuthUsers, header: string | undefined): boolean | Promise<boolean> {
  const credentials = basicCredentials(header);
  if (credentials === undefined) return false;
  const check = users.checks.get(credentials.user);
  if (check === undefined) return false;
  const id = createHash('sha256').update(credentials.user).update('\0').update(credentials.password).digest('base64');
  if (users.verified.has(id)) return true;
  const remember = (ok: boolean): boolean => {
    if (ok) {
      if (users.verified.size >= VERIFIED_CACHE_SIZE) users.verified.clear();
      users.verified.add(id);
    }
    return ok;
  };
  const result = check(credentials.password);
  return typeof result === 'boolean' ? remember(result) : result.then(remember, () => false);
}
