/** @module Throwaway self-signed certificates (openssl, installed when missing), to prove TLS to upstreams is verified. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOpenssl } from './private-ca.js';

export interface SelfSignedSubject {
  /** Common name; default `127.0.0.1`. */
  cn?: string;
  /** subjectAltName value; default `IP:127.0.0.1`. */
  san?: string;
}

/** Writes `key.pem` and `cert.pem` (valid for one day) into `dir` and returns their paths. */
export function writeSelfSigned(dir: string, { cn = '127.0.0.1', san = 'IP:127.0.0.1' }: SelfSignedSubject = {}): { keyFile: string; certFile: string } {
  ensureOpenssl();
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}

/** A self-signed key and certificate in memory. */
export function selfSigned(subject?: SelfSignedSubject): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tls-'));
  try {
    const { keyFile, certFile } = writeSelfSigned(dir, subject);
    return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
