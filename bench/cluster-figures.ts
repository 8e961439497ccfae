/** @module Figures for node:cluster (issue 15): probes per interval, tries on a dead server under load, status totals vs backend counts, with and without clusterPrimary(); and wrk throughput with one and two workers. */
import { spawn, execFile, execFileSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const ROOT = new URL('..', import.meta.url).pathname;
const APP = new URL('../test/cluster/cluster-app.ts', import.meta.url).pathname;
const INTERVAL_MS = 500;

type App = ChildProcessByStdio<Writable, Readable, null>;

interface Counted {
  url: string;
  port: number;
  probes: number;
  traffic: number;
  server: HttpServer;
  dead: boolean;
  deadTries: number;
}

async function backend(name: string): Promise<Counted> {
  const b = { probes: 0, traffic: 0, dead: false, deadTries: 0 } as Counted;
  b.server = createHttpServer((req, res) => {
    if (req.url === '/health') b.probes++;
    else if (b.dead) b.deadTries++;
    else b.traffic++;
    // A dead server: the connection is reset without an answer (a failed try, as a crashed app).
    if (b.dead) req.socket.destroy();
    else res.end(name);
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', r));
  b.port = (b.server.address() as AddressInfo).port;
  b.url = `http://127.0.0.1:${b.port}`;
  return b;
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

function startApp(env: Record<string, string>): Promise<{ child: App; port: number }> {
  const child = spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', APP], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('app did not start')), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
  });
}

async function stopApp(child: App): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin.end('stop\n');
  await exited;
}

async function figures(shared: boolean, probing: boolean, clients = 8): Promise<Record<string, unknown>> {
  const [a, b, c] = [await backend('a'), await backend('b'), await backend('c')];
  const options = {
    // Without probes the dead server is found by passive failures only (the tries this counts).
    upstreams: { app: { servers: [a.url, b.url, c.url], ...(probing ? { healthCheck: { path: '/health', interval: INTERVAL_MS } } : {}) } },
    locations: { '/': 'app' },
    status: { path: '/status' },
  };
  const { child, port } = await startApp({ SHARED: shared ? '1' : '0', WORKERS: '2', SWITCHYARD_OPTIONS: JSON.stringify(options) });
  const base = `http://127.0.0.1:${port}`;
  // Probes: count over a window of whole intervals after start.
  const p0 = a.probes + b.probes + c.probes;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 10 * INTERVAL_MS));
  const probesPerServerPerInterval = (a.probes + b.probes + c.probes - p0) / 3 / ((performance.now() - t0) / INTERVAL_MS);

  // Load with 8 concurrent clients; c dies (connections reset) after 200 requests.
  let sent = 0;
  let failed = 0;
  const TOTAL = 800;
  const worker = async (): Promise<void> => {
    while (sent < TOTAL) {
      sent++;
      if (sent === 200) c.dead = true;
      if ((await get(`${base}/x`)) !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const status = await new Promise<string>((resolve) => {
    request(`${base}/status`, { agent: false, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).end();
  });
  const servers = (JSON.parse(status) as { upstreams: { app: { servers: Array<{ requests: number }> } } }).upstreams.app.servers;
  await stopApp(child);
  for (const x of [a, b, c]) x.server.close();
  return {
    clusterPrimary: shared,
    healthCheck: probing ? `${INTERVAL_MS}ms` : 'none',
    probesPerServerPerInterval: Number(probesPerServerPerInterval.toFixed(2)),
    requests: TOTAL,
    clients,
    failedRequests: failed,
    triesOnDeadServer: c.deadTries,
    statusRequests: servers.map((s) => s.requests),
    backendCounts: [a.traffic, b.traffic, c.traffic + c.deadTries],
  };
}

async function throughput(workers: number): Promise<number> {
  const a = await backend('a');
  const options = { upstreams: { app: [a.url] }, locations: { '/': 'app' } };
  const { child, port } = await startApp({ SHARED: '1', WORKERS: String(workers), SWITCHYARD_OPTIONS: JSON.stringify(options) });
  // Async: the backend runs in this process and must keep answering.
  const { stdout: out } = await promisify(execFile)('wrk', ['-t2', '-c32', '-d5s', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  await stopApp(child);
  a.server.close();
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
}

const rows = [await figures(true, true), await figures(false, true)];
for (let i = 0; i < 2; i++) rows.push(await figures(true, false), await figures(false, false));
for (let i = 0; i < 2; i++) rows.push(await figures(true, false, 1), await figures(false, false, 1));
for (const r of rows) console.log(JSON.stringify(r));
const one = await throughput(1);
const two = await throughput(2);
console.log(
  JSON.stringify({
    wrk: '-t2 -c32 -d5s, fastify, 1 upstream',
    oneWorker: one,
    twoWorkers: two,
    loadavg: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
  }),
);
