/** @module Security: configured header names and values are checked at configuration time against exactly what node:http sends (an en dash used to end the process on a WebSocket upgrade). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { createSwitchyard } from '../../packages/core/src/switchyard.js';
import { SwitchyardConfigError } from '../../packages/core/src/errors.js';

const UP = { api: ['http://127.0.0.1:8001'] };

function withHeaders(headers: Record<string, string>) {
  return () => createSwitchyard({ upstreams: UP, locations: { '/api/': { upstream: 'api', headers } } });
}

test('a header value node:http refuses is a config error naming the field and the character', () => {
  assert.throws(withHeaders({ 'X-Env': 'prod – eu' }), {
    name: 'SwitchyardConfigError',
    path: 'locations["/api/"].headers["X-Env"]',
    message: `locations["/api/"].headers["X-Env"] has a character node:http refuses ('–' U+2013)`,
  });
});

test('from an nginx file the same value is refused, naming the imported location', () => {
  assert.throws(
    () => createSwitchyard({ nginx: 'server {\n  location /api/ {\n    proxy_pass http://127.0.0.1:8001;\n    proxy_set_header X-Env "prod – eu";\n  }\n}\n' }),
    (err: unknown) =>
      err instanceof SwitchyardConfigError && err.message === `locations["/api/"].headers["X-Env"] has a character node:http refuses ('–' U+2013)`,
  );
});

test('exactly the values node:http accepts pass: TAB, visible ASCII and Latin-1 bytes', () => {
  // Every UTF-16 code unit up to 0x2FF: the config check agrees with node:http on each one.
  for (let c = 0; c <= 0x2ff; c++) {
    // A space after the character: "$" followed by a name would be an nginx variable (refused when unknown).
    const value = `a${String.fromCharCode(c)} b`;
    let nodeAccepts = true;
    try {
      validateHeaderValue('x-a', value);
    } catch {
      nodeAccepts = false;
    }
    let configAccepts = true;
    try {
      withHeaders({ 'x-a': value })();
    } catch (err) {
      assert.ok(err instanceof SwitchyardConfigError);
      configAccepts = false;
    }
    assert.equal(configAccepts, nodeAccepts, `U+${c.toString(16)}`);
  }
  assert.doesNotThrow(withHeaders({ 'X-City': 'Zürich', 'X-Tab': 'a\tb' }));
});
