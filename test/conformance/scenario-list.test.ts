/** @module Checks on the conformance scenarios themselves: enough of them, unique names, and the deliberate ones in step with the table of docs/nginx-conformance.md. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isRequest } from './harness/run-sequence.js';
import { SCENARIOS } from './scenarios/index.js';

const DOC = new URL('../../docs/nginx-conformance.md', import.meta.url);

/** The ids of the table rows (`| \`id\` | ...`) of the "Deliberate differences" section. */
function documentedIds(): string[] {
  const text = readFileSync(DOC, 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith('Deliberate differences'));
  assert.ok(section, 'docs/nginx-conformance.md has a "## Deliberate differences" section');
  return [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1] as string);
}

describe('conformance scenarios', () => {
  it('are at least 60, with unique names, each with requests and a source', () => {
    assert.ok(SCENARIOS.length >= 60, `${SCENARIOS.length} scenarios`);
    const names = SCENARIOS.map((s) => s.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
    for (const s of SCENARIOS) {
      assert.ok(s.steps.some(isRequest), `${s.name}: no request`);
      assert.ok(s.from.length > 0, `${s.name}: no source`);
      assert.ok(s.http.includes('{{listen}}'), `${s.name}: nginx would not listen where the harness connects`);
    }
  });

  it('a deliberate difference is in the docs table and asserted on both sides, and every table row has its scenario', () => {
    const documented = documentedIds();
    const deliberate = SCENARIOS.flatMap((s) => (s.deliberate ? [s] : []));
    for (const s of deliberate) {
      assert.ok(documented.includes(s.deliberate?.id ?? ''), `${s.name}: "${s.deliberate?.id}" is not a row of the table`);
      assert.ok(s.nginx !== undefined && s.nginx.length > 0, `${s.name}: a deliberate scenario states what nginx does`);
    }
    assert.deepEqual(documented.sort(), [...new Set(deliberate.map((s) => s.deliberate?.id))].sort());
  });
});
