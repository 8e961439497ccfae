/** @module rewritePrefix never produces a dot segment at the junction of prefix and rest (nginx's "off-by-slash"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, type RouteMatch } from '@switchyard/core';

const pathOf = (route: RouteMatch | undefined): string | undefined =>
  route === undefined || route.redirect !== undefined || route.internal ? undefined : route.path;

test("a location without a trailing slash never rewrites into a dot segment ('/api../x' -> '/v1/../x')", async () => {
  const sy = createSwitchyard({
    upstreams: { b: ['http://127.0.0.1:1'] },
    locations: { '/api': { upstream: 'b', rewritePrefix: '/v1/' }, '/static': { upstream: 'b', rewritePrefix: '/files' } },
  });
  assert.equal(sy.match('GET', '/api../secret'), undefined);
  assert.equal(sy.match('GET', '/api./secret'), undefined);
  assert.equal(sy.match('GET', '/api%2e%2e/secret'), undefined);
  assert.equal(sy.match('GET', '/api..'), undefined);
  // Names that merely contain dots stay inside the rewrite target, mapped as nginx maps them.
  assert.equal(pathOf(sy.match('GET', '/api.../x')), '/v1/.../x');
  assert.equal(pathOf(sy.match('GET', '/api/users')), '/v1//users');
  assert.equal(pathOf(sy.match('GET', '/staticx')), '/filesx');
  assert.equal(pathOf(sy.match('GET', '/static.')), '/files.');
  await sy.close();
});
