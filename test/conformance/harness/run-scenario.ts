/** @module Runs one scenario on the three targets: its backends, real nginx on the config text, then the same text through parseNginxConfig on each adapter. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseNginxConfig } from '@switchyard/core';
import { ADAPTERS } from './adapter-apps.js';
import { nginxConf, startNginx } from '../../helpers/real-nginx.js';
import { startBackends } from './recording-backends.js';
import { runSequence, type Outcome } from './run-sequence.js';
import { FIXTURE_MTIME, type Scenario } from './scenario.js';

export interface ScenarioRun {
  nginx: Outcome;
  /** By adapter name. */
  adapters: Map<string, Outcome>;
  /** nginx's error log (info level), for a failure message. */
  nginxLog: string;
  /** The config text all three ran. */
  config: string;
}

/** `after(fn)` registers a cleanup that runs even when the test fails (node:test's `t.after`). */
export async function runScenario(scenario: Scenario, register: (fn: () => Promise<void>) => void): Promise<ScenarioRun> {
  // One hook for the whole scenario, run in reverse order of creation: nginx stops before its directory goes.
  const cleanups: Array<() => Promise<void> | void> = [];
  const after = (fn: () => Promise<void> | void): void => void cleanups.unshift(fn);
  register(async () => {
    for (const fn of cleanups) await fn();
  });
  const dir = mkdtempSync(join(tmpdir(), 'sy-conformance-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  mkdirSync(root);
  writeFiles(root, scenario.files ?? {});

  const backends = await startBackends(scenario.backends);
  after(() => backends.close());
  const fill = (listen: string): string =>
    scenario.http.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
      if (key === 'listen') return listen;
      if (key === 'root') return root;
      const address = backends.addresses.get(key);
      if (address === undefined) throw new Error(`scenario ${scenario.name}: placeholder ${whole} names no backend`);
      return address;
    });

  const nginx = await startNginx(dir, (listen) => nginxConf(dir, fill(listen)));
  after(() => nginx.stop());
  // The very text nginx runs (its listen line included) is what the adapters import.
  const config = readFileSync(join(dir, 'nginx.conf'), 'utf8');
  let nginxOutcome: Outcome;
  try {
    nginxOutcome = { views: await runSequence(scenario, nginx.port, backends) };
  } catch (err) {
    nginxOutcome = { failed: `nginx sequence failed: ${(err as Error).message}` };
  }
  const nginxLog = nginx.errorLog();
  await nginx.stop();

  const adapters = new Map<string, Outcome>();
  for (const adapter of ADAPTERS) {
    let app;
    try {
      app = await adapter.start(parseNginxConfig(config));
    } catch (err) {
      adapters.set(adapter.name, { failed: `did not start: ${(err as Error).message}` });
      continue;
    }
    try {
      adapters.set(adapter.name, { views: await runSequence(scenario, app.port, backends) });
    } catch (err) {
      adapters.set(adapter.name, { failed: `sequence failed: ${(err as Error).message}` });
    } finally {
      await app.close();
    }
  }
  return { nginx: nginxOutcome, adapters, nginxLog, config };
}

/** Writes the scenario's files under `root` (directories made as needed), all with the same mtime. */
function writeFiles(root: string, files: Record<string, string>): void {
  const touched = new Set<string>();
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name);
    if (name.endsWith('/')) mkdirSync(path, { recursive: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    touched.add(path);
    for (let d = dirname(path); d.startsWith(root) && d !== root; d = dirname(d)) touched.add(d);
  }
  // Directories last (writing a file changes its directory's mtime).
  const order = [...touched].sort((x, y) => y.length - x.length);
  for (const path of order) utimesSync(path, FIXTURE_MTIME, FIXTURE_MTIME);
}
