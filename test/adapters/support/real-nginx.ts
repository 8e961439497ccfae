/** @module Debian's real nginx on a loopback port for one test (installed when missing), so a scenario can assert both sides do the same. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { aptInstall } from '../../helpers/apt-install.js';

const NGINX = '/usr/sbin/nginx';

export interface RealNginx {
  readonly url: string;
  readonly port: number;
}

/** A port free right now on 127.0.0.1 (nginx cannot listen on port 0 and report it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once 127.0.0.1:port accepts a connection; at most 100 tries, 50 ms apart (nginx gives no ready signal). */
async function accepting(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

/**
 * Starts nginx with `http` as the body of its http {} block; `LISTEN` in it is replaced by the
 * chosen `127.0.0.1:port`. Stopped (and its directory removed) after the test.
 */
export async function startNginx(t: TestContext, http: (listen: string) => string): Promise<RealNginx> {
  const failed = aptInstall('nginx-light', NGINX);
  if (failed !== undefined) throw new Error(failed);
  const dir = mkdtempSync(join(tmpdir(), 'sy-nginx-'));
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, k)};`).join(' ');
  const conf = [
    'daemon off; master_process off; worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')};`,
    'events {}',
    `http { access_log off; ${temp}`,
    http(`127.0.0.1:${port}`),
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  await accepting(port, child);
  return { url: `http://127.0.0.1:${port}`, port };
}
