/** @module Reliability: a chaos run mixing every fault, per adapter in its own process, which must end with nothing active, no socket open, nothing escaped, and exit on its own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadDrivers } from './support/drivers.js';
import { guardProcess } from './support/process-guard.js';

guardProcess();

const root = fileURLToPath(new URL('../..', import.meta.url));
const drivers = await loadDrivers();

for (const driver of drivers) {
  test(`chaos (${driver.name}): all faults at once, then zero active, zero sockets, nothing escaped, exits by itself`, async (t) => {
    const child = spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', 'test/reliability/support/chaos-run.ts', driver.name], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    // Only a guard against a hung child: exiting by itself is the assertion, not how fast.
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 90_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    const line = out.split('\n').find((l) => l.startsWith('CHAOS '));
    t.diagnostic(line ?? out.slice(-2000));
    assert.equal(killed, false, `the process did not exit on its own after close():\n${out.slice(-2000)}\n${err.slice(-2000)}`);
    assert.ok(line !== undefined, `no summary:\n${out.slice(-2000)}\n${err.slice(-2000)}`);
    const summary = JSON.parse(line.slice(6)) as { problems: string[]; ops: Record<string, number> };
    assert.deepEqual(summary.problems, []);
    assert.doesNotMatch(err, /Error|uncaught|unhandled/i, 'nothing written to stderr as an error');
    assert.equal(code, 0);
  });
}
