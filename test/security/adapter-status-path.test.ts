/** @module Security: the status page answers only at its exact configured spelling (no percent-encoded, case-folded or dot-segment spelling), on both adapters. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from '../reliability/support/process-guard.js';
import { loadDrivers } from '../reliability/support/drivers.js';
import { startRawBackend } from '../reliability/support/raw-backend.js';
import { rawSend, type RawResponse } from '../reliability/support/raw-client.js';

guardProcess();
const drivers = await loadDrivers();

const PATH = '/switchyard/status';
/** Spellings a guard written on `request.url` would not recognise; none may serve the status page. */
const OTHER_SPELLINGS = [
  '/%73witchyard/status',
  '/switchyard/%73tatus',
  '/%73%77itchyard/status',
  '/switchyard%2fstatus',
  '/SWITCHYARD/status',
  '/switchyard/Status',
  '/switchyard/status/',
  '/switchyard//status',
  '/switchyard/./status',
  '/x/../switchyard/status',
  '/switchyard/status;x',
  '/switchyard/status%20',
];

async function get(port: number, path: string): Promise<RawResponse | undefined> {
  const out = await rawSend(port, `GET ${path} HTTP/1.1\r\nHost: proxy\r\nAccept: application/json\r\nConnection: close\r\n\r\n`, {
    responses: 1,
    maxMs: 3000,
  });
  return out.responses[0];
}

function isStatusPage(res: RawResponse | undefined): boolean {
  if (res === undefined || res.status !== 200) return false;
  try {
    return typeof (JSON.parse(res.body.toString()) as { upstreams?: unknown }).upstreams === 'object';
  } catch {
    return false;
  }
}

for (const driver of drivers) {
  describe(`status path spellings, ${driver.name}`, () => {
    test('only the exact spelling (query string allowed) serves the status page; others go where any other path goes', async () => {
      const backend = await startRawBackend('main');
      const proxy = await driver.start({ upstreams: { main: [backend.url] }, locations: { '/': 'main' }, status: { path: PATH } });
      try {
        assert.ok(isStatusPage(await get(proxy.port, PATH)), 'the exact path serves it');
        assert.ok(isStatusPage(await get(proxy.port, `${PATH}?format=json`)), 'with a query string too');
        for (const spelling of OTHER_SPELLINGS) {
          const res = await get(proxy.port, spelling);
          assert.equal(isStatusPage(res), false, `${spelling} served the status page`);
          assert.equal(res?.body.toString(), 'main', `${spelling} is proxied like any path under '/'`);
        }
      } finally {
        await proxy.close();
        await backend.stop();
      }
    });

    test('without a location covering them, other spellings are 404', async () => {
      const backend = await startRawBackend('main');
      const proxy = await driver.start({ upstreams: { main: [backend.url] }, locations: { '/api/': 'main' }, status: { path: PATH } });
      try {
        assert.ok(isStatusPage(await get(proxy.port, PATH)));
        for (const spelling of OTHER_SPELLINGS) {
          const res = await get(proxy.port, spelling);
          assert.equal(isStatusPage(res), false, `${spelling} served the status page`);
          assert.equal(res?.status, 404, spelling);
        }
        assert.equal(backend.requests.length, 0);
      } finally {
        await proxy.close();
        await backend.stop();
      }
    });
  });
}
