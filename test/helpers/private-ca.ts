/** @module Throwaway TLS material made by each test run with Debian's openssl (installed with apt-get when missing): a private CA, server certificates and a client certificate. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './apt-install.js';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface PrivatePki {
  /** The private CA's certificate (PEM). */
  readonly ca: string;
  /** A server certificate for DNS:localhost and IP:127.0.0.1. */
  readonly server: Pem;
  /** A server certificate for DNS:localhost only (connecting by IP needs `servername`). */
  readonly localhostOnly: Pem;
  /** A client certificate, subject CN=switchyard-client, O=switchyard tests. */
  readonly client: Pem;
  /** A second, unrelated CA: certificates it signs are not trusted by `ca`. */
  readonly otherCa: string;
}

/** Installs Debian's openssl when the machine has none (a new machine may not). */
export function ensureOpenssl(): void {
  if (spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0) return;
  const failed = aptInstall('openssl', '/usr/bin/openssl');
  if (failed !== undefined) throw new Error(`openssl is missing and ${failed}`);
}

let cached: PrivatePki | undefined;

/** Makes (once per process) a CA, two server certificates and a client certificate, valid for one day. */
export function privatePki(): PrivatePki {
  if (cached !== undefined) return cached;
  ensureOpenssl();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pki-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  try {
    const ca = (name: string, cn: string): void => {
      run(
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        '1',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      );
    };
    const leaf = (name: string, subject: string, ext: string): void => {
      writeFileSync(join(dir, `${name}.ext`), ext);
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      run(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
      );
    };
    ca('ca', 'switchyard test CA');
    ca('other', 'some other CA');
    leaf('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    leaf('named', '/CN=localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
    leaf('client', '/CN=switchyard-client/O=switchyard tests', 'extendedKeyUsage=clientAuth\n');
    cached = {
      ca: read('ca.crt'),
      server: { cert: read('server.crt'), key: read('server.key') },
      localhostOnly: { cert: read('named.crt'), key: read('named.key') },
      client: { cert: read('client.crt'), key: read('client.key') },
      otherCa: read('other.crt'),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same key encrypted with `passphrase` (PEM), to test `tls.passphrase`. */
export function encryptedKey(key: string, passphrase: string): string {
  ensureOpenssl();
  return execFileSync('openssl', ['pkey', '-aes256', '-passout', `pass:${passphrase}`], { input: key, encoding: 'utf8' });
}
