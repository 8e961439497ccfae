/** @module Client headers named with an underscore: dropped for an imported config (nginx's underscores_in_headers off), kept for a JS one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, parseNginxConfig, withoutUnderscoreHeaders } from '@switchyard/core';

const SITE = (extra: string): string => `upstream u { server 127.0.0.1:1; }
server { ${extra} location / { proxy_pass http://u; } }`;

test('underscore names are dropped when off, the input is left alone, and nothing is copied when none is there', () => {
  const incoming = { x_under: 'u', 'x-dash': 'd', host: 'h' };
  assert.deepEqual(withoutUnderscoreHeaders(incoming, false), { 'x-dash': 'd', host: 'h' });
  assert.deepEqual(incoming, { x_under: 'u', 'x-dash': 'd', host: 'h' });
  assert.equal(withoutUnderscoreHeaders(incoming, true), incoming);
  const clean = { 'x-dash': 'd' };
  assert.equal(withoutUnderscoreHeaders(clean, false), clean);
});

test('a JS config keeps them by default; underscoresInHeaders: false drops them; a non-boolean is refused by name', () => {
  const sy = createSwitchyard({ upstreams: { u: ['http://127.0.0.1:1'] }, locations: { '/': 'u' } });
  assert.equal(sy.config.underscoresInHeaders, true);
  assert.equal(createSwitchyard({ upstreams: { u: ['http://127.0.0.1:1'] }, underscoresInHeaders: false }).config.underscoresInHeaders, false);
  assert.throws(
    () => createSwitchyard({ upstreams: { u: ['http://127.0.0.1:1'] }, underscoresInHeaders: 'yes' as unknown as boolean }),
    /underscoresInHeaders/,
  );
});

test('the import follows nginx: off by default, on with underscores_in_headers on or ignore_invalid_headers off', () => {
  assert.equal(parseNginxConfig(SITE('')).options.underscoresInHeaders, false);
  assert.equal(parseNginxConfig(SITE('underscores_in_headers on;')).options.underscoresInHeaders, true);
  assert.equal(parseNginxConfig(SITE('underscores_in_headers off;')).options.underscoresInHeaders, false);
  assert.equal(parseNginxConfig(SITE('ignore_invalid_headers off;')).options.underscoresInHeaders, true);
  assert.equal(parseNginxConfig(SITE('ignore_invalid_headers on;')).options.underscoresInHeaders, false);
  assert.deepEqual(parseNginxConfig(SITE('underscores_in_headers on;')).warnings, []);
  assert.throws(() => parseNginxConfig(SITE('underscores_in_headers maybe;')), /"maybe" in "underscores_in_headers" directive.*\(line 2, column 33\)/);
});
