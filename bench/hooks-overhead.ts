/**
 * @module Micro-benchmark of the location hooks' cost on the hot path: the same proxy with no hooks
 * configured, with hooks on another location only (the proxied one has none: the "unset" path), and
 * with every hook set (trivial ones), per adapter, in interleaved rounds. The proxy runs in a child
 * process so its CPU per request is measured apart from the load generator and the backend.
 *
 * Run: node --conditions=switchyard-source --import tsx bench/hooks-overhead.ts
 * Env: HOOKS_BENCH_MS (per round, default 3000), HOOKS_BENCH_ROUNDS (default 5),
 *      HOOKS_BENCH_CONCURRENCY (default 32), HOOKS_BENCH_VARIANTS (default none,unset,set),
 *      HOOKS_BENCH_ADAPTERS (default fastify,express).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Variant = 'none' | 'unset' | 'set';
type AdapterName = 'fastify' | 'express';

function optionsFor(variant: Variant, upstream: string): Record<string, unknown> {
  const upstreams = { app: [upstream] };
  if (variant === 'none') return { upstreams, locations: { '/': 'app' } };
  const hooks = {
    rewriteRequest(ctx: { headers: Record<string, string | string[]> }) {
      ctx.headers['x-user'] = 'bench';
    },
    rewriteResponseHeaders(headers: Record<string, string | string[]>) {
      delete headers['x-powered-by'];
    },
    onError: () => undefined,
    interceptErrors: [503],
  };
  if (variant === 'unset') return { upstreams, locations: { '/': 'app', '/other/': { upstream: 'app', ...hooks } } };
  return { upstreams, locations: { '/': { upstream: 'app', ...hooks } } };
}

// ---------------------------------------------------------------------------------------------
// Child: one proxy, reports its port, then its CPU time between 'mark' and 'report'.
// ---------------------------------------------------------------------------------------------

async function child(adapter: AdapterName, variant: Variant, upstream: string): Promise<void> {
  const options = optionsFor(variant, upstream);
  let port: number;
  let close: () => Promise<void>;
  if (adapter === 'fastify') {
    const { default: Fastify } = await import('fastify');
    const { default: switchyard } = await import('@switchyard/fastify');
    const app = Fastify({ logger: false });
    await app.register(switchyard, options as never);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    close = () => app.close();
  } else {
    const { default: express } = await import('express');
    const { switchyard } = await import('@switchyard/express');
    const lb = switchyard(options as never);
    const app = express();
    app.use(lb);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = async () => {
      await lb.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  }
  let mark = process.cpuUsage();
  process.on('message', (msg: string) => {
    if (msg === 'mark') {
      mark = process.cpuUsage();
      process.send?.('marked');
    } else if (msg === 'report') {
      const used = process.cpuUsage(mark);
      process.send?.(JSON.stringify({ cpuUs: used.user + used.system }));
    } else if (msg === 'exit') {
      void close().then(() => process.exit(0));
    }
  });
  process.send?.(JSON.stringify({ port }));
}

// ---------------------------------------------------------------------------------------------
// Parent: backend, load, rounds, report.
// ---------------------------------------------------------------------------------------------

function nextMessage(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`child exited with ${code}`));
    proc.once('message', (m) => {
      proc.off('exit', onExit);
      resolve(typeof m === 'string' ? m : JSON.stringify(m));
    });
    proc.once('exit', onExit);
  });
}

async function load(port: number, ms: number, concurrency: number): Promise<{ done: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const end = performance.now() + ms;
  let done = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/bench', agent }, (res) => {
          if (res.statusCode !== 200) failed++;
          res.resume();
          res.on('end', () => {
            done++;
            resolve();
          });
        });
        req.on('error', () => {
          failed++;
          resolve();
        });
        req.end();
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { done, failed };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function parent(): Promise<void> {
  const ms = Number(process.env.HOOKS_BENCH_MS ?? 3000);
  const rounds = Number(process.env.HOOKS_BENCH_ROUNDS ?? 5);
  const concurrency = Number(process.env.HOOKS_BENCH_CONCURRENCY ?? 32);
  const variants = (process.env.HOOKS_BENCH_VARIANTS ?? 'none,unset,set').split(',') as Variant[];
  const adapters = (process.env.HOOKS_BENCH_ADAPTERS ?? 'fastify,express').split(',') as AdapterName[];

  const backend: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-powered-by': 'bench' });
    res.end('hello world');
  });
  backend.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const upstream = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

  const results = new Map<string, { rps: number[]; cpu: number[] }>();
  const procs = new Map<string, { proc: ChildProcess; port: number }>();
  for (const adapter of adapters) {
    for (const variant of variants) {
      const proc = fork(new URL(import.meta.url).pathname, ['--child', adapter, variant, upstream], { execArgv: process.execArgv });
      const { port } = JSON.parse(await nextMessage(proc)) as { port: number };
      procs.set(`${adapter} ${variant}`, { proc, port });
      results.set(`${adapter} ${variant}`, { rps: [], cpu: [] });
      await load(port, 500, concurrency); // warm-up
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const [key, { proc, port }] of procs) {
      proc.send('mark');
      await nextMessage(proc);
      const { done, failed } = await load(port, ms, concurrency);
      proc.send('report');
      const { cpuUs } = JSON.parse(await nextMessage(proc)) as { cpuUs: number };
      if (failed > 0) throw new Error(`${key}: ${failed} failed requests`);
      const entry = results.get(key)!;
      entry.rps.push(done / (ms / 1000));
      entry.cpu.push(cpuUs / done);
    }
  }
  console.log(`| adapter | hooks | median req/s | min-max req/s | median proxy CPU µs/req |`);
  console.log(`|---|---|---:|---:|---:|`);
  for (const [key, { rps, cpu }] of results) {
    const [adapter, variant] = key.split(' ');
    console.log(
      `| ${adapter} | ${variant} | ${median(rps).toFixed(0)} | ${Math.min(...rps).toFixed(0)}-${Math.max(...rps).toFixed(0)} | ${median(cpu).toFixed(1)} |`,
    );
  }
  for (const { proc } of procs.values()) {
    proc.send('exit');
    await new Promise((resolve) => proc.once('exit', resolve));
  }
  await new Promise<void>((resolve) => backend.close(() => resolve()));
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1] as AdapterName, args[2] as Variant, args[3] as string);
else await parent();
