/** @module hash, hash consistent and ip_hash reproduce real nginx 1.22 key for key (fixtures recorded by scripts/gen-nginx-hash-fixtures.mjs). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { makePool, upstream } from './pool-fixtures.js';

interface Fixture {
  nginx: string;
  directive: string;
  servers: Array<{ url: string; weight: number; down: boolean }>;
  cases: Array<{ key?: string; clientIp?: string; url: string }>;
}

const dir = new URL('../../fixtures/nginx-hash/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('nginx hash fixtures', () => {
  it('are all present', () => {
    assert.deepEqual(files, [
      'chash-down.json',
      'chash-noport.json',
      'chash-weighted.json',
      'hash-down.json',
      'hash-weighted.json',
      'iphash-down.json',
      'iphash-weighted.json',
    ]);
  });

  for (const file of files) {
    const fixture = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Fixture;
    it(`${file}: every one of ${fixture.cases.length} mappings of \`${fixture.directive}\` matches ${fixture.nginx}`, () => {
      const isIp = fixture.directive.startsWith('ip_hash');
      const config = upstream(
        isIp ? 'ip-hash' : 'hash',
        fixture.servers.map((s) => ({ url: s.url, weight: s.weight, down: s.down })),
        { consistent: fixture.directive.includes('consistent') },
      );
      const { pool } = makePool(config);
      const wrong: string[] = [];
      for (const c of fixture.cases) {
        const pick = pool.pick(isIp ? { clientIp: c.clientIp } : { key: c.key });
        if (pick?.server.url !== c.url) wrong.push(`${JSON.stringify(c.key ?? c.clientIp)}: nginx ${c.url}, got ${pick?.server.url}`);
        pick?.release({ status: 200 });
      }
      assert.equal(fixture.cases.length >= 300, true);
      assert.deepEqual(wrong, []);
    });
  }

  it('hash keys come from the upstream hash.key function unless ctx.key is given', () => {
    const fixture = JSON.parse(readFileSync(new URL('hash-weighted.json', dir), 'utf8')) as Fixture;
    const config = upstream('hash', fixture.servers, { hashKey: (req) => new URL(req.url, 'http://x').searchParams.get('k') ?? '' });
    const { pool } = makePool(config);
    for (const c of fixture.cases.slice(0, 50)) {
      if (c.key === undefined || /[^a-zA-Z0-9-]/.test(c.key)) continue;
      const viaRequest = pool.pick({ request: { method: 'GET', url: `/x?k=${c.key}`, headers: {}, clientIp: '1.2.3.4' } });
      assert.equal(viaRequest?.server.url, c.url, c.key);
      viaRequest?.release({ status: 200 });
    }
  });
});
