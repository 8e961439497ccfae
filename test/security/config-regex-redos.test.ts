/** @module Security: regex locations that backtrack exponentially (nested repetition, overlapping alternatives under a repetition) are refused at configuration time, in options and in the nginx import, naming the location and how to rewrite. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard } from '../../packages/core/src/index.js';
import { catastrophicRegex } from '../../packages/core/src/routing/regex-safety.js';

const REFUSED = [
  '^(a+)+$',
  '(a*)*',
  '(a|a)*',
  '(a|ab)*c',
  '(\\w|\\d)+$',
  '(.*a){20}',
  '(x+x+)+y',
  '^(\\w+\\s?)*$',
  '(a{1,2})+',
  '([a-z]+)*$',
  '(.|\\s)*x',
  '(?:a+|b)+',
  '((ab)*)+',
  '(a|)+',
  '(\\d+\\.?)+$',
];
const ACCEPTED = [
  '^/api/',
  '\\.(png|jpe?g|gif)$',
  '^/users/(\\d+)/?$',
  '^(\\d{1,3}\\.){3}\\d{1,3}$',
  '(GET|POST)+',
  '^/static/.*\\.css$',
  '^/(foo|bar)/[^/]+$',
  '(ab)+',
  '(?:/[a-z]+)+/?$',
  '^(/[\\w-]+)+\\.html$',
  '(\\d{1,3}\\.)+',
  '^/(?<id>\\d+)$',
  '(a|b)*',
];

describe('regex location safety', () => {
  it('refuses the catastrophic forms and accepts the usual location patterns', () => {
    for (const p of REFUSED) assert.ok(catastrophicRegex(p) !== undefined, `should refuse ${p}`);
    for (const p of ACCEPTED) assert.equal(catastrophicRegex(p), undefined, `should accept ${p}`);
    // Case folding: under `~*` 'A' and 'a' are the same first character.
    assert.equal(catastrophicRegex('(A|a)+'), undefined);
    assert.ok(catastrophicRegex('(A|a)+', true) !== undefined);
  });

  it('the configuration names the location and explains; the nginx import names the line', () => {
    assert.throws(() => createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, locations: { '~ ^(a+)+$': 'app' } }), {
      name: 'SwitchyardConfigError',
      message:
        /^locations\["~ \^\(a\+\)\+\$"\] has a regular expression that can take exponential time on a crafted path: nested repetition: "a\+" is repeated inside "\(a\+\)\+" \(star height 2\).*; repeat one level only/,
    });
    assert.throws(
      () => createSwitchyard({ nginx: 'upstream app { server 127.0.0.1:1; }\nserver {\n  location ~* "(\\w|\\d)+$" { proxy_pass http://app; }\n}\n' }),
      (err: unknown) =>
        err instanceof Error && /line 3/.test(err.message) && /can take exponential time/.test(err.message) && /overlapping alternatives/.test(err.message),
    );
    const sy = createSwitchyard({ upstreams: { app: ['http://127.0.0.1:1'] }, locations: { '~ ^/users/(\\d+)/?$': 'app' } });
    assert.ok(sy.match('GET', '/users/12') !== undefined);
    void sy.close();
  });
});
