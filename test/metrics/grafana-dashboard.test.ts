/** @module examples/grafana-dashboard.json asks only for series switchyard exports: every metric name in its queries is a family of the exposition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as promClient from 'prom-client';
import { createPrometheusMetrics, createSwitchyard } from '@switchyard/core';
import { repoRoot } from '../helpers/child-scripts.js';
import { parseExposition } from './exposition.js';

test('every switchyard_* name in the dashboard queries is exported', async () => {
  const dashboard = JSON.parse(readFileSync(`${repoRoot}examples/grafana-dashboard.json`, 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  const names = new Set(exprs.flatMap((e) => e.match(/switchyard_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
  assert.ok(names.size >= 10, `the dashboard reads ${names.size} series`);
  const sy = createSwitchyard({ upstreams: { app: ['http://127.0.0.1:9'] } });
  const metrics = createPrometheusMetrics(sy, promClient);
  try {
    const families = parseExposition(await metrics.render()).types;
    for (const name of names) assert.ok(families.has(name), `${name} is not exported`);
  } finally {
    metrics.stop();
    await sy.close();
  }
});
