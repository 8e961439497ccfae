/** @module Reliability: path attacks (encoded dot segments, backslashes, double slashes, //host, @ forms), in requests and WebSocket upgrades, never leave the matched location's upstream prefix (both adapters). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { headerOf, startRawBackend, type RawBackend } from './support/raw-backend.js';
import { rawSend } from './support/raw-client.js';
import { send, startProxy } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

/** Targets aimed at leaving `/api/` (rewritten to `/v1/`) or `/files/` (forwarded raw). */
const ATTACKS = [
  '/api/%2e%2e/admin',
  '/api/%2E%2E/%2e%2e/etc/passwd',
  '/api/.%2e/admin',
  '/api/%2e./admin',
  '/api/..%2fadmin',
  '/api/..%2Fadmin',
  '/api/..%5cadmin',
  '/api/..\\admin',
  '/api\\..\\admin',
  '/api/\\..\\admin',
  '/api/x/..%2f..%2fadmin',
  '/api//evil.example/x',
  '/api/%2f%2fevil.example/x',
  '/api/%5c%5cevil.example/x',
  '//evil.example/api/x',
  '///evil.example/api/x',
  '/\\evil.example/api/x',
  '/api/@evil.example/x',
  '/api/x@evil.example/',
  '/api/%40evil.example',
  '@evil.example/api/x',
  'http://evil.example/api/../admin',
  'http://evil.example/api/x',
  'http://user@evil.example/api/x',
  '/api/;/../admin',
  '/api/%252e%252e/admin',
  '/api/%c0%ae%c0%ae/admin',
  '/api/%00/x',
  '/api/%zz/x',
  '/api/x#/../../admin',
  '/api/x?/../../admin',
  '/files/%2e%2e/secret',
  '/files/..%2f..%2fsecret',
  '/files/..\\secret',
  '/files//evil.example/x',
  '/files/%2f%2fevil.example/x',
  '/files/x/../../secret',
  '/files\\..\\secret',
  '/api/%0d%0aX-Injected:%20yes',
  '/files/%0d%0aX-Injected:%20yes',
  '/api/caf\u00e9',
  '/files/caf\u00e9',
  '/files/a\u007fb',
  '*',
];

/** One percent-decoding pass, `\` as `/`, dot segments resolved: how a lenient upstream reads a path. */
function lenientResolve(target: string): string {
  const path = target.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  const out: string[] = [];
  for (const seg of decoded.split(/[/\\]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

function assertInside(b: RawBackend, prefix: string, attacks: string[]): void {
  for (const req of b.requests) {
    const target = req.target;
    const where = `${target} (sent for one of: ${attacks.join(' ')})`;
    assert.ok(target.startsWith(prefix), `upstream path outside ${prefix}: ${where}`);
    assert.ok(!target.startsWith('//'), `protocol-relative upstream path: ${where}`);
    assert.ok(lenientResolve(target).startsWith(prefix), `upstream path resolves outside ${prefix}: ${where} -> ${lenientResolve(target)}`);
    assert.ok(!/^[a-z]+:/i.test(target), `absolute-form upstream target: ${where}`);
    assert.ok(!(headerOf(req, 'host') ?? '').includes('evil'), `Host taken from the attack: ${where}`);
    assert.equal(headerOf(req, 'x-injected'), undefined, `a header was injected through the path: ${where}`);
  }
}

for (const driver of drivers) {
  describe(`paths (${driver.name})`, () => {
    for (const websocket of [false, true]) {
      test(`no ${websocket ? 'WebSocket upgrade' : 'request'} path leaves the matched location's upstream prefix, and nothing crashes`, async (t) => {
        const api = await startRawBackend('api');
        const files = await startRawBackend('files');
        t.after(async () => {
          await Promise.all([api.stop(), files.stop()]);
        });
        const proxy = await startProxy(t, driver, {
          upstreams: { api: [{ url: api.url, maxFails: 0 }], files: [{ url: files.url, maxFails: 0 }] },
          locations: { '/api/': { upstream: 'api', rewritePrefix: '/v1/' }, '/files/': 'files' },
        });
        const statuses: string[] = [];
        for (const target of ATTACKS) {
          const extra = websocket
            ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 13\r\n'
            : 'Connection: close\r\n';
          const ex = await rawSend(proxy.port, `GET ${target} HTTP/1.1\r\nHost: proxy.example\r\n${extra}\r\n`, { responses: 1, maxMs: 3000 });
          statuses.push(`${target} -> ${ex.responses[0]?.status ?? (ex.closed ? 'closed' : 'no answer')}`);
        }
        t.diagnostic(statuses.join(' | '));
        const reached = api.requests.length + files.requests.length;
        assert.ok(reached >= 10, `the attacks must reach the proxying code, not only the router (${reached} reached an upstream)`);
        assertInside(api, '/v1/', ATTACKS);
        assertInside(files, '/files/', ATTACKS);
        // Something legitimate still reaches both, proving they were reachable all along.
        assert.equal((await send(`${proxy.url}/api/ok`)).status, 200);
        assert.equal((await send(`${proxy.url}/files/ok`)).status, 200);
        assert.equal(api.requests.at(-1)?.target, '/v1/ok');
        assert.equal(files.requests.at(-1)?.target, '/files/ok');
      });
    }
  });
}
