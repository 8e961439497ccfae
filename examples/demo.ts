/** @module The seed demo: three servers, a balancer in front (Fastify, or Express with --express), round robin, failover and recovery. */
import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { SwitchyardOptions, Switchyard } from '@switchyard/core';
import { onLauncherExit } from './launcher-exit.js';

/** The command as the README gives it (no global pnpm needed): `npx pnpm@<packageManager's version> demo`. */
const DEMO_COMMAND = `npx ${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { packageManager: string }).packageManager} demo`;

const USAGE = `Usage: ${DEMO_COMMAND} [--express] [--port 8080] [--backend-ports 8000,8001,8002]
  (or PORT=8080 BACKEND_PORTS=8000,8001,8002 ${DEMO_COMMAND})`;

interface DemoArgs {
  adapter: 'fastify' | 'express';
  port: number;
  backendPorts: number[];
}

function parsePort(value: string, what: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${what} must be a port number (0-65535), got "${value}"\n${USAGE}`);
    process.exit(2);
  }
  return port;
}

function parseArgs(argv: string[]): DemoArgs {
  const args: DemoArgs = {
    adapter: 'fastify',
    port: parsePort(process.env.PORT ?? '8080', 'PORT'),
    backendPorts: (process.env.BACKEND_PORTS ?? '8000,8001,8002').split(',').map((p) => parsePort(p.trim(), 'BACKEND_PORTS')),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--express') args.adapter = 'express';
    else if (arg === '--fastify') args.adapter = 'fastify';
    else if (arg === '--port') args.port = parsePort(argv[++i] ?? '', '--port');
    else if (arg === '--backend-ports') args.backendPorts = (argv[++i] ?? '').split(',').map((p) => parsePort(p.trim(), '--backend-ports'));
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument "${arg}"\n${USAGE}`);
      process.exit(2);
    }
  }
  if (args.backendPorts.length !== 3) {
    console.error(`the demo needs exactly three backend ports, got ${args.backendPorts.length}\n${USAGE}`);
    process.exit(2);
  }
  return args;
}

async function listen(server: Server, port: number, what: string): Promise<void> {
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(`\nPort ${port} (${what}) is already taken. Pick free ports:\n${USAGE}`);
    } else {
      console.error(`\nCannot listen on port ${port} (${what}): ${String(err)}`);
    }
    process.exit(1);
  }
}

/** A backend that answers "Server N" and can be stopped and started again on the same port. */
class Backend {
  readonly name: string;
  readonly port: number;
  #server: Server | undefined;

  constructor(name: string, port: number) {
    this.name = name;
    this.port = port;
  }

  async start(): Promise<void> {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(this.name);
    });
    this.#server = server;
    await listen(server, this.port, this.name);
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body: 'response error' }));
    });
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

async function burst(port: number, count: number): Promise<number> {
  let failed = 0;
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const { status, body } = await get(port, '/');
    if (status !== 200) failed++;
    seen.push(status === 200 ? body.replace('Server ', '') : `${status}!`);
    console.log(`  GET /  ->  ${status} ${body}`);
  }
  console.log(`  sequence: ${seen.join('-')}${failed === 0 ? '  (no failed request)' : `  (${failed} failed)`}`);
  return failed;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

interface Balancer {
  switchyard: Switchyard;
  close(): Promise<void>;
}

async function startBalancer(adapter: DemoArgs['adapter'], options: SwitchyardOptions, port: number): Promise<Balancer> {
  if (adapter === 'fastify') {
    const { default: Fastify } = await import('fastify');
    const { default: switchyard } = await import('@switchyard/fastify');
    const app = Fastify({ logger: false });
    await app.register(switchyard, options);
    try {
      await app.listen({ port, host: '127.0.0.1' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(`\nPort ${port} (balancer) is already taken. Pick a free one:\n${USAGE}`);
        process.exit(1);
      }
      throw err;
    }
    return { switchyard: app.switchyard, close: () => app.close() };
  }
  const { default: express } = await import('express');
  const { switchyard } = await import('@switchyard/express');
  const app = express();
  const lb = switchyard(options, { logger: false }); // as the Fastify app above: the demo prints its own story
  app.use(lb);
  const server = createServer(app);
  server.on('upgrade', lb.upgrade);
  await listen(server, port, 'balancer');
  return {
    switchyard: lb.switchyard,
    close: async () => {
      await lb.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backends = args.backendPorts.map((port, i) => new Backend(`Server ${i + 1}`, port));
  const running: { balancer?: Balancer } = {};
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await running.balancer?.close();
    await Promise.all(backends.map((b) => b.stop()));
    process.exit(0);
  };
  // From the start (a signal during the three steps too); the launcher's exit closes our stdout.
  process.stdout.on('error', () => {});
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGHUP', () => void shutdown());
  // `npx pnpm demo` stopped by a signal to npx alone: nothing reaches this process but the orphaning.
  onLauncherExit(() => void shutdown());
  for (const b of backends) await b.start();
  const options: SwitchyardOptions = {
    upstreams: {
      seed: {
        servers: backends.map((b) => `http://127.0.0.1:${b.port}`),
        // Active checks bring a restarted server back within half a second (nginx OSS waits fail_timeout).
        healthCheck: { path: '/', interval: '500ms', timeout: '300ms' },
      },
    },
    locations: { '/': 'seed' },
    status: { path: '/switchyard/status' },
  };
  const lb = await startBalancer(args.adapter, options, args.port);
  running.balancer = lb;
  const [, two] = backends as [Backend, Backend, Backend];
  const sy = lb.switchyard;
  const stateOf2 = (): string | undefined => sy.status().upstreams.seed?.servers[1]?.state;

  const nameOf = (url: string): string => backends.find((b) => url.endsWith(`:${b.port}`))?.name ?? url;
  sy.on('retry', (e) =>
    console.log(
      e.to === undefined
        ? `  (${nameOf(e.from)} failed: ${e.reason}; no retry, the retry budget is spent)`
        : `  (${nameOf(e.from)} failed: ${e.reason}; retried on ${nameOf(e.to)})`,
    ),
  );
  sy.on('server:down', (e) => console.log(`  [${nameOf(e.url)} is now ${e.state}, by ${e.reason === 'passive' ? 'a failed request' : 'a health check'}]`));
  sy.on('server:up', (e) => console.log(`  [${nameOf(e.url)} is up again, by ${e.reason === 'passive' ? 'a successful request' : 'a health check'}]`));

  console.log(`\nswitchyard demo (${args.adapter} adapter): balancer on http://127.0.0.1:${args.port}, servers on ${args.backendPorts.join(', ')}\n`);
  console.log('1. Round robin over three servers:');
  await burst(args.port, 6);

  console.log(`\n2. Stopping ${two.name}; traffic flows on to the others:`);
  await two.stop();
  await burst(args.port, 6);

  console.log(`\n3. Starting ${two.name} again; a passing health check brings it back:`);
  await two.start();
  const back = await waitFor(() => stateOf2() === 'up', 5000);
  if (!back) console.log(`  (still ${stateOf2()} after 5 s)`);
  await burst(args.port, 6);

  console.log(`\nStatus page:  http://127.0.0.1:${args.port}/switchyard/status  (JSON; open it in a browser for the live page)`);
  console.log(`Try it:       curl http://127.0.0.1:${args.port}/`);
  console.log('Press Ctrl-C to stop.');

  if (process.env.DEMO_EXIT === '1') await shutdown();
}

void main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
