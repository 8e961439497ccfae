/** @module The demo stops with its launcher: a signal to `npx` alone (`npx pnpm demo`), or a parent killed outright, leaves no server listening. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { freePort, repoRoot } from '../helpers/child-scripts.js';

/** Ports the demo gets: the balancer, then three backends. */
async function demoPorts(): Promise<number[]> {
  return [await freePort(), await freePort(), await freePort(), await freePort()];
}

function demoArgs(ports: number[]): string[] {
  return ['--port', String(ports[0]), '--backend-ports', ports.slice(1).join(',')];
}

/**
 * Starts `command` in its own process group (so a failed test can still kill every process it
 * made) and resolves once the demo says it is up; `ended` resolves when every process holding
 * its stdout (the launcher and the demo below it) has exited.
 */
async function launch(
  t: TestContext,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ launcher: ChildProcess; out: () => string; ended: Promise<void> }> {
  const launcher = spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, npm_config_yes: 'true', DEMO_EXIT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  t.after(() => {
    try {
      process.kill(-(launcher.pid as number), 'SIGKILL');
    } catch {
      // Already gone: what the test expects.
    }
  });
  let out = '';
  const ended = new Promise<void>((resolve) => launcher.stdout?.once('end', () => resolve()));
  launcher.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    launcher.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Press Ctrl-C to stop.')) resolve();
    });
    void ended.then(() => reject(new Error(`the demo ended before it was up:\n${out}`)));
  });
  return { launcher, out: () => out, ended };
}

/** Ends when `promise` does, or fails the test after `ms` (the demo outlived its launcher). */
async function within(promise: Promise<void>, ms: number, what: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${ms} ms after its launcher stopped:\n${what()}`)), ms);
  });
  try {
    await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function assertFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('a parent killed with SIGKILL (it forwards nothing): the demo closes its servers and exits', async (t) => {
  const ports = await demoPorts();
  // The parent runs the demo as `pnpm demo` would, then is killed without a chance to pass a signal on.
  const parent = `require('node:child_process').spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', 'examples/demo.ts', ...JSON.parse(process.env.DEMO_ARGS)], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
  const { launcher, out, ended } = await launch(t, process.execPath, ['-e', parent], { DEMO_ARGS: JSON.stringify(demoArgs(ports)) });
  launcher.kill('SIGKILL');
  await within(ended, 20_000, out);
  assert.match(out(), /stopping\.\.\./);
  await assertFree(ports);
});

test('`npx pnpm@9.15.9 demo` stopped by SIGTERM to npx alone leaves nothing listening', async (t) => {
  const ports = await demoPorts();
  const { launcher, out, ended } = await launch(t, 'npx', ['pnpm@9.15.9', 'demo', ...demoArgs(ports)]);
  launcher.kill('SIGTERM');
  await within(ended, 20_000, out);
  assert.match(out(), /stopping\.\.\./);
  await assertFree(ports);
});
