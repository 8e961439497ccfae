/** @module The differential conformance suite: every scenario on real nginx and on both adapters (same config text), compared request by request. */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { ADAPTERS } from './harness/adapter-apps.js';
import { diffViews, narrowed, transcript } from './harness/diff.js';
import { ensureNginx } from '../helpers/real-nginx.js';
import { runScenario } from './harness/run-scenario.js';
import type { Scenario, View } from './harness/scenario.js';
import { SCENARIOS } from './scenarios/index.js';

describe('nginx conformance: real nginx vs both adapters on the same config', () => {
  before(() => ensureNginx());

  for (const scenario of SCENARIOS) {
    const title = scenario.deliberate ? `${scenario.name} [deliberate: ${scenario.deliberate.id}]` : scenario.name;
    it(title, async (t) => {
      await check(t, scenario);
    });
  }
});

async function check(t: TestContext, scenario: Scenario): Promise<void> {
  const run = await runScenario(scenario, (fn) => t.after(fn));
  const context = (): string => `\nconfig:\n${run.config}\nnginx error log (tail):\n${run.nginxLog.split('\n').slice(-15).join('\n')}`;
  if ('failed' in run.nginx) assert.fail(`${run.nginx.failed}${context()}`);
  const nginxViews = run.nginx.views;
  // CONFORMANCE_VERBOSE=1 prints every exchange of every target (to write a new scenario's expectations).
  const verbose = process.env.CONFORMANCE_VERBOSE === '1';
  if (verbose) for (const line of transcript(scenario, 'nginx', nginxViews)) t.diagnostic(line);

  // The guard: nginx itself answers as the scenario says it does (so a scenario cannot test nothing).
  if (scenario.nginx !== undefined) {
    const lines = diffViews(scenario, 'expected', scenario.nginx, 'nginx', narrowed(nginxViews, scenario.nginx) as View[]);
    assert.deepEqual(lines, [], `nginx does not answer as the scenario expects:\n${lines.join('\n')}\n${transcript(scenario, 'nginx', nginxViews).join('\n')}`);
  }

  for (const adapter of ADAPTERS) {
    await t.test(adapter.name, () => {
      const outcome = run.adapters.get(adapter.name);
      if (outcome === undefined || 'failed' in outcome) {
        report(scenario, adapter.name, outcome?.failed ?? 'not run', []);
        assert.fail(`${adapter.name}: ${outcome?.failed ?? 'not run'}`);
      }
      const views = outcome.views;
      if (verbose) for (const line of transcript(scenario, adapter.name, views)) t.diagnostic(line);
      const expected = scenario.deliberate?.switchyard;
      const lines =
        expected === undefined
          ? diffViews(scenario, 'nginx', nginxViews, adapter.name, views)
          : diffViews(scenario, 'documented', expected, adapter.name, narrowed(views, expected) as View[]);
      const what = expected === undefined ? `differs from nginx` : `does not show the documented difference "${scenario.deliberate?.id}"`;
      report(scenario, adapter.name, lines.length === 0 ? 'matches' : what, lines);
      assert.deepEqual(
        lines,
        [],
        `${adapter.name} ${what}:\n${lines.join('\n')}\n\n${transcript(scenario, 'nginx', nginxViews).join('\n')}\n${transcript(scenario, adapter.name, views).join('\n')}`,
      );
    });
  }
}

/** CONFORMANCE_REPORT=FILE appends one line per scenario and adapter (and the diff) to FILE: the list of what differs, for a review. */
function report(scenario: Scenario, adapter: string, verdict: string, lines: readonly string[]): void {
  const file = process.env.CONFORMANCE_REPORT;
  if (file === undefined || file === '') return;
  appendFileSync(file, `- ${scenario.name} [${adapter}]: ${verdict}\n${lines.map((l) => `    ${l}\n`).join('')}`);
}
