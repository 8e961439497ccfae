/** @module The nginx corpus: sixteen published reverse-proxy configs, localised, on real nginx and on both adapters; every path each config names answers as nginx answers it (or the config is refused, for the reason given). */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS } from './harness/adapter-apps.js';
import { ensureNginx } from '../helpers/real-nginx.js';
import { AWAITING_LIMITS, AWAITING_STATIC_AND_REWRITE, NOT_SCHEDULED, ONE_LISTENING_SIDE, type Today } from './corpus/awaiting.js';
import { matches } from './corpus/corpus-client.js';
import type { CorpusConfig, View } from './corpus/corpus-config.js';
import { CORPUS } from './corpus/configs/index.js';
import { runCorpusConfig } from './corpus/run-corpus-config.js';
import { corpusTable } from './corpus/corpus-table.js';
import { readFileSync } from 'node:fs';

/** Every case or config switchyard does not answer as nginx today, with today's answer. */
const TODAY: Readonly<Record<string, Today>> = { ...AWAITING_STATIC_AND_REWRITE, ...AWAITING_LIMITS, ...ONE_LISTENING_SIDE, ...NOT_SCHEDULED };

describe('nginx corpus: published configs on real nginx and both adapters', () => {
  before(() => ensureNginx());

  it('case names are unique and every list entry names a case or a config', () => {
    const names = CORPUS.flatMap((c) => c.cases.map((k) => k.name));
    assert.equal(new Set(names).size, names.length);
    const known = new Set([...names, ...CORPUS.map((c) => c.name)]);
    for (const name of Object.keys(TODAY)) assert.ok(known.has(name), `a list names no case or config: ${name}`);
  });

  it('docs/nginx-corpus.md has the table the import computes', () => {
    const doc = readFileSync(new URL('../../docs/nginx-corpus.md', import.meta.url), 'utf8');
    const table = /<!-- corpus-table:start -->\n([\s\S]*?)\n<!-- corpus-table:end -->/.exec(doc)?.[1];
    assert.equal(table, corpusTable(), 'print it with test/conformance/corpus/print-corpus-table.ts');
  });

  for (const config of CORPUS) {
    it(`${config.name}${config.refused ? ' (refused)' : ''}`, async (t) => {
      await check(t, config);
    });
  }
});

async function check(t: TestContext, config: CorpusConfig): Promise<void> {
  const run = await runCorpusConfig(config, (fn) => t.after(fn));
  if (config.nginxRefuses !== undefined) {
    assert.ok(
      run.nginxRefused !== undefined && config.nginxRefuses.test(run.nginxRefused),
      `nginx should refuse with ${config.nginxRefuses}: ${run.nginxRefused ?? 'it started'}`,
    );
  } else if (run.nginxRefused !== undefined) {
    assert.fail(`nginx refuses the localised config: ${run.nginxRefused}`);
  }
  const verbose = process.env.CORPUS_VERBOSE === '1';
  const show = (v: View | undefined): string => JSON.stringify(v);
  // The guard: nginx answers every case as written (the expectations are nginx's, checked on nginx).
  const wrong = config.cases.filter((c) => !matches(c.expect, run.nginx.get(c.name)!));
  if (verbose) for (const c of config.cases) t.diagnostic(`nginx ${c.name}: ${show(run.nginx.get(c.name))}`);
  assert.deepEqual(
    wrong.map((c) => `${c.name}: nginx ${show(run.nginx.get(c.name))}`),
    [],
    `nginx does not answer as the corpus says\nnginx error log (tail):\n${run.nginxLog.split('\n').slice(-10).join('\n')}`,
  );

  const today = TODAY[config.name];
  for (const adapter of ADAPTERS) {
    await t.test(adapter.name, () => {
      const outcome = run.adapters.get(adapter.name)!;
      if (config.refused !== undefined || (today !== undefined && 'refused' in today)) {
        const expected = config.refused ?? (today as { refused: RegExp }).refused;
        assert.ok(
          'refused' in run.imported && expected.test(run.imported.refused),
          `parseNginxConfig should refuse with ${expected}: ${'refused' in run.imported ? run.imported.refused : 'imported'}`,
        );
        assert.ok(
          'failed' in outcome && expected.test(outcome.failed),
          `${adapter.name} should refuse with ${expected}: ${'failed' in outcome ? outcome.failed : 'started'}`,
        );
        return;
      }
      if ('failed' in outcome) assert.fail(`${adapter.name} did not start: ${outcome.failed}`);
      const views = outcome;
      const lines: string[] = [];
      for (const c of config.cases) {
        const got = views.get(c.name)!;
        if (verbose) t.diagnostic(`${adapter.name} ${c.name}: ${show(got)}`);
        const awaiting = TODAY[c.name];
        if (awaiting !== undefined) {
          // Not yet: switchyard answers as it does today (so the entry must go when the feature lands).
          if (JSON.stringify(awaiting) !== JSON.stringify(got))
            lines.push(`${c.name}: listed with today's answer ${show(awaiting as View)}, got ${show(got)} (nginx: ${show(run.nginx.get(c.name))})`);
        } else if (!matches(c.expect, got) || ('sameAsNginx' in c.expect && c.expect.sameAsNginx === true && got.body !== run.nginx.get(c.name)?.body)) {
          lines.push(`${c.name}: nginx ${show(run.nginx.get(c.name))}, ${adapter.name} ${show(got)}`);
        }
      }
      assert.deepEqual(lines, [], `${adapter.name} differs from nginx`);
    });
  }
}
