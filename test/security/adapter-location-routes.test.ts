/** @module `/` beside regex locations and beside prefixes find-my-way cannot hold literally (`:`) registers on Fastify and routes as nginx, on both adapters. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { startRawBackend, type RawBackend } from '../reliability/support/raw-backend.js';
import { rawSend } from '../reliability/support/raw-client.js';

guardProcess();
const drivers = await loadDrivers();

/** Location sets that used to fail Fastify registration with FST_ERR_DUPLICATED_ROUTE, and where each path must go. */
const CASES: Array<{ name: string; locations: (b: Record<string, string>) => Record<string, string>; expect: Array<[string, string]> }> = [
  {
    name: "'/' beside a regex location",
    locations: () => ({ '/': 'main', '~ \\.php$': 'php' }),
    expect: [
      ['/index.php', 'php'],
      ['/dir/page.php', 'php'],
      ['/', 'main'],
      ['/x', 'main'],
      ['/page.phpx', 'main'],
    ],
  },
  {
    name: "'/' beside a case-insensitive regex and a ^~ prefix",
    locations: () => ({ '/': 'main', '~* \\.(png|jpg)$': 'static', '^~ /assets/': 'assets' }),
    expect: [
      ['/a/B.PNG', 'static'],
      ['/assets/c.png', 'assets'],
      ['/other', 'main'],
    ],
  },
  {
    name: "'/' beside a prefix containing ':'",
    locations: () => ({ '/': 'main', '/v1:beta/': 'beta' }),
    expect: [
      ['/v1:beta/users', 'beta'],
      ['/v1/users', 'main'],
    ],
  },
  {
    name: "'/' beside an exact '= /' and a regex",
    locations: () => ({ '= /': 'php', '/': 'main', '~ ^/api/': 'beta' }),
    expect: [
      ['/', 'php'],
      ['/api/x', 'beta'],
      ['/else', 'main'],
    ],
  },
];

const NAMES = ['main', 'php', 'static', 'assets', 'beta'];

for (const driver of drivers) {
  describe(`locations that collide in Fastify's router, ${driver.name}`, () => {
    for (const c of CASES) {
      test(`${c.name}: registers and routes as nginx`, async () => {
        const backends: RawBackend[] = [];
        for (const name of NAMES) backends.push(await startRawBackend(name));
        const urls = Object.fromEntries(backends.map((b) => [b.name, b.url]));
        const upstreams = Object.fromEntries(NAMES.map((name) => [name, [urls[name] as string]]));
        const proxy = await driver.start({ upstreams, locations: c.locations(urls) });
        try {
          for (const [path, expected] of c.expect) {
            const out = await rawSend(proxy.port, `GET ${path} HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n`, { responses: 1 });
            assert.equal(out.responses[0]?.status, 200, path);
            assert.equal(out.responses[0]?.body.toString(), expected, path);
          }
        } finally {
          await proxy.close();
          for (const b of backends) await b.stop();
        }
      });
    }
  });
}
