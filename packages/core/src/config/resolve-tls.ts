/** @module `tls` of an upstream or a server: PEM material checked with node:crypto at configuration time, so a bad file fails at start naming the field, not on the first request. */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type { ResolvedTls, TlsVersion } from '../types.js';
import { checkKeys, describe, expectObject, fail } from './describe.js';

const TLS_KEYS = ['ca', 'cert', 'key', 'passphrase', 'servername', 'rejectUnauthorized', 'minVersion'] as const;
const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

function isPemInput(value: unknown): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

/** A copy that later changes to the caller's Buffer cannot reach (config objects are immutable). */
function own(value: string | Buffer): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value);
}

function certificate(value: unknown, path: string): X509Certificate {
  if (!isPemInput(value)) fail(path, `must be a PEM certificate (a string or a Buffer), got ${describe(value)}`);
  if (!value.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    fail(path, 'must be a PEM certificate (text starting with -----BEGIN CERTIFICATE-----); pass the file contents, not its name');
  }
  try {
    return new X509Certificate(value);
  } catch (err) {
    return fail(path, `is not a readable PEM certificate: ${firstLine(err)}`);
  }
}

function privateKey(value: unknown, passphrase: string | undefined, path: string, passphrasePath: string): KeyObject {
  if (!isPemInput(value)) fail(path, `must be a PEM private key (a string or a Buffer), got ${describe(value)}`);
  const text = value.toString('latin1');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    fail(path, 'must be a PEM private key (text starting with -----BEGIN ... PRIVATE KEY-----); pass the file contents, not its name');
  }
  try {
    return createPrivateKey(passphrase === undefined ? { key: value } : { key: value, passphrase });
  } catch (err) {
    if (passphrase === undefined && /ENCRYPTED/.test(text)) fail(path, `is encrypted: set ${passphrasePath}`);
    if (passphrase !== undefined) fail(passphrasePath, `does not decrypt ${path}: ${firstLine(err)}`);
    return fail(path, `is not a readable PEM private key: ${firstLine(err)}`);
  }
}

/**
 * Validate a `tls` object. Certificates and keys are parsed now (a wrong file, a wrong
 * passphrase, or a key that does not belong to the certificate fail here); `cert` and `key` come
 * together. `servername` is a DNS name (SNI cannot carry an IP address).
 *
 * @example resolveTls({ ca: readFileSync('ca.pem'), servername: 'api.internal' }, 'upstreams.api.tls')
 */
export function resolveTls(input: unknown, path: string): ResolvedTls | undefined {
  if (input === undefined) return undefined;
  const obj = expectObject(input, path, 'an object { ca?, cert?, key?, passphrase?, servername?, rejectUnauthorized?, minVersion? }');
  checkKeys(obj, TLS_KEYS, path);
  const out: { -readonly [K in keyof ResolvedTls]: ResolvedTls[K] } = {};

  if (obj.ca !== undefined) {
    const list = Array.isArray(obj.ca) ? obj.ca : [obj.ca];
    if (list.length === 0) fail(`${path}.ca`, 'must list at least one certificate');
    out.ca = Object.freeze(
      list.map((entry: unknown, i) => {
        const at = Array.isArray(obj.ca) ? `${path}.ca[${i}]` : `${path}.ca`;
        certificate(entry, at);
        return own(entry as string | Buffer);
      }),
    );
  }

  if (obj.passphrase !== undefined) {
    if (typeof obj.passphrase !== 'string') fail(`${path}.passphrase`, `must be a string, got ${describe(obj.passphrase)}`);
    if (obj.key === undefined) fail(`${path}.passphrase`, `only applies to ${path}.key, which is not set`);
    out.passphrase = obj.passphrase;
  }
  if (obj.cert !== undefined || obj.key !== undefined) {
    if (obj.key === undefined) fail(`${path}.key`, `is required with ${path}.cert (the client certificate's private key)`);
    if (obj.cert === undefined) fail(`${path}.cert`, `is required with ${path}.key (the client certificate)`);
    const cert = certificate(obj.cert, `${path}.cert`);
    const key = privateKey(obj.key, out.passphrase, `${path}.key`, `${path}.passphrase`);
    if (!cert.checkPrivateKey(key)) fail(`${path}.key`, `does not belong to ${path}.cert (${cert.subject.replace(/\n/g, ', ')})`);
    out.cert = own(obj.cert as string | Buffer);
    out.key = own(obj.key as string | Buffer);
  }

  if (obj.servername !== undefined) {
    const name = obj.servername;
    if (typeof name !== 'string' || isIP(name) !== 0 || !HOSTNAME.test(name)) {
      fail(`${path}.servername`, `must be a DNS name (SNI cannot carry an IP address), got ${describe(name)}`);
    }
    out.servername = name.toLowerCase();
  }
  if (obj.rejectUnauthorized !== undefined) {
    if (typeof obj.rejectUnauthorized !== 'boolean') fail(`${path}.rejectUnauthorized`, `must be a boolean, got ${describe(obj.rejectUnauthorized)}`);
    out.rejectUnauthorized = obj.rejectUnauthorized;
  }
  if (obj.minVersion !== undefined) {
    if (typeof obj.minVersion !== 'string' || !(TLS_VERSIONS as readonly string[]).includes(obj.minVersion)) {
      fail(`${path}.minVersion`, `must be one of ${TLS_VERSIONS.map((v) => `'${v}'`).join(', ')}, got ${describe(obj.minVersion)}`);
    }
    out.minVersion = obj.minVersion as TlsVersion;
  }
  return Object.freeze(out);
}

/** The server's settings field by field over the upstream's (undefined when neither has any). */
export function mergeTls(upstream: ResolvedTls | undefined, server: ResolvedTls | undefined): ResolvedTls | undefined {
  if (server === undefined) return upstream;
  if (upstream === undefined) return server;
  const merged: { -readonly [K in keyof ResolvedTls]: ResolvedTls[K] } = { ...upstream };
  for (const [k, v] of Object.entries(server) as Array<[keyof ResolvedTls, never]>) if (v !== undefined) merged[k] = v;
  // A client certificate comes with its own key and passphrase, never half from each level.
  if (server.cert !== undefined) {
    merged.key = server.key;
    merged.passphrase = server.passphrase;
  }
  return Object.freeze(merged);
}
