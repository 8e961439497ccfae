/** @module Debian's real nginx for the location tests: installed with apt when missing, run in the foreground from a temp prefix on a free loopback port. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './apt-install.js';

const NGINX_PATH = '/usr/sbin/nginx';
const START_TRIES = 5;
const CONNECT_POLLS = 300;

export interface RunningNginx {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts nginx with `server(listen)` as the contents of its `http {}` (one process, every file in a
 * temp directory removed at stop). nginx cannot listen on port 0: the port is one the kernel handed
 * out and we released, so "Address already in use" is retried with another (bounded).
 */
export async function startNginx(http: (listen: string) => string): Promise<RunningNginx> {
  const failed = aptInstall('nginx-light', NGINX_PATH, { RUNLEVEL: '1' });
  if (failed !== undefined) throw new Error(`nginx is not installed and ${failed}`);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-nginx-'));
  let last = '';
  for (let attempt = 1; attempt <= START_TRIES; attempt++) {
    const port = await freePort();
    const file = join(dir, 'nginx.conf');
    writeFileSync(
      file,
      `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log info;
events { worker_connections 64; }
http { access_log off; client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
${http(`127.0.0.1:${port}`)}
}
`,
    );
    const child = spawn(NGINX_PATH, ['-p', `${dir}/`, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const kill = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    let up = false;
    for (let i = 0; i < CONNECT_POLLS && !up; i++) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      up = await accepts(port);
      if (!up) await new Promise((r) => setTimeout(r, 10));
    }
    if (up) {
      return {
        port,
        async stop() {
          await kill();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await kill();
    last = `${stderr}${readLog(join(dir, 'error.log'))}`.trim();
    if (!/Address already in use/.test(last)) break;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`nginx did not start: ${last}`);
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
