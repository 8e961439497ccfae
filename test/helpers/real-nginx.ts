/** @module Debian's real nginx for the tests that compare with it (the conformance suite, locations, headers): installed with apt when missing, run in the foreground from a temp prefix on a free loopback port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './apt-install.js';

export const NGINX_PATH = '/usr/sbin/nginx';

/** Installs nginx-light when /usr/sbin/nginx is missing (RUNLEVEL=1: the packaged service is not started). */
export function ensureNginx(): void {
  const failed = aptInstall('nginx-light', NGINX_PATH, { RUNLEVEL: '1' });
  if (failed !== undefined) throw new Error(`nginx is not installed and ${failed}`);
}

/** The whole nginx.conf around a scenario's `http { }` contents: one process, every path inside `dir`. */
export function nginxConf(dir: string, http: string): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${http}
}
`;
}

export interface RunningNginx {
  readonly port: number;
  /** The error log so far (for a failure message). */
  errorLog(): string;
  stop(): Promise<void>;
}

const START_TRIES = 5;
const CONNECT_POLLS = 200;

/**
 * Starts nginx on `config(port)` for a free port. nginx cannot listen on port 0, so the port is one the
 * kernel handed out and we released; another process may take it in between, so "Address already in use"
 * is retried with a new port (bounded).
 */
export async function startNginx(dir: string, config: (listen: string) => string): Promise<RunningNginx> {
  let lastError = '';
  for (let attempt = 1; attempt <= START_TRIES; attempt++) {
    const port = await freePort();
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, config(`127.0.0.1:${port}`));
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const child = spawn(NGINX_PATH, ['-p', `${dir}/`, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    // Last resort if the test process ends without running its after() hooks.
    const onExit = (): void => void child.kill('SIGKILL');
    process.once('exit', onExit);
    const up = await listening(port, child);
    if (up) {
      return {
        port,
        errorLog: () => readLog(join(dir, 'error.log')) + stderr,
        async stop() {
          process.off('exit', onExit);
          await stop();
        },
      };
    }
    await stop();
    process.off('exit', onExit);
    lastError = `${stderr}${readLog(join(dir, 'error.log'))}`.trim();
    if (!/Address already in use/.test(lastError)) break;
  }
  throw new Error(`nginx did not start: ${lastError}`);
}

/** nginx with `http(listen)` as the contents of its `http {}`, in a temp directory of its own (removed at stop). */
export async function startNginxSite(http: (listen: string) => string): Promise<RunningNginx & { readonly url: string }> {
  ensureNginx();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-nginx-'));
  try {
    const nginx = await startNginx(dir, (listen) => nginxConf(dir, http(listen)));
    return {
      port: nginx.port,
      url: `http://127.0.0.1:${nginx.port}`,
      errorLog: () => nginx.errorLog(),
      async stop() {
        await nginx.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls a TCP connect every 10 ms until nginx accepts, it exits, or CONNECT_POLLS tries have failed. */
async function listening(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < CONNECT_POLLS; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await accepts(port)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
