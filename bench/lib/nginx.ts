/** @module nginx configurations and processes: the three "Server N" backends and the nginx upstream candidate. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { portOpen, start, waitForPort, type Running } from './proc.js';

/**
 * Shared `http` settings. nginx closes a keep-alive connection after 1000 requests by default
 * (`keepalive_requests`, both towards clients and in upstream pools since 1.19.10): at 30k req/s
 * that is 30 reconnections a second, so every limit is raised out of the way.
 */
function httpCommon(dir: string): string {
  return `
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;`;
}

function mainConf(dir: string, name: string, http: string): string {
  return `worker_processes 1;
daemon off;
master_process on;
pid ${dir}/${name}.pid;
error_log ${dir}/${name}.error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; multi_accept on; }
http {${httpCommon(dir)}
${http}
}
`;
}

export const STATUS_PATH = '/__nginx_status';

export function backendConf(dir: string, n: number, port: number): string {
  return mainConf(
    dir,
    `backend${n}`,
    `    server {
        listen 127.0.0.1:${port} backlog=4096;
        location = ${STATUS_PATH} { stub_status; }
        location / { default_type text/plain; return 200 "Server ${n}"; }
    }`,
  );
}

export function proxyConf(dir: string, port: number, backends: readonly number[], keepalive: number, readTimeoutMs?: number): string {
  const servers = backends.map((p) => `        server 127.0.0.1:${p};`).join('\n');
  return mainConf(
    dir,
    'nginx-proxy',
    `    upstream seed {
${servers}
        keepalive ${keepalive};
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:${port} backlog=4096;
        location / {
            proxy_pass http://seed;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout;${readTimeoutMs === undefined ? '' : `\n            proxy_read_timeout ${readTimeoutMs}ms;`}
        }
    }`,
  );
}

/** Writes the configuration and starts `nginx` in the foreground (its pid is the master's). */
export async function startNginx(dir: string, name: string, conf: string, port: number, core: number | null): Promise<Running> {
  if (await portOpen(port)) throw new Error(`port ${port} is already in use (another run? set BENCH_PORT_BASE)`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, conf);
  const r = start(name, core, 'nginx', ['-p', dir, '-c', file], { logFile: join(dir, `${name}.log`) });
  await waitForPort(port, r);
  return r;
}

/** nginx `stub_status` counters of one backend (each read itself adds one accepted connection). */
export function backendAccepts(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: STATUS_PATH, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const m = /\n\s*(\d+)\s+(\d+)\s+(\d+)/.exec(body);
        if (!m) reject(new Error(`unexpected stub_status body: ${body}`));
        else resolve(Number(m[1]));
      });
    });
    req.on('error', reject);
    req.end();
  });
}
