/** @module Reliability: a server that accepts and never answers, under 50 concurrent GETs: the requests stuck on it time out together and every one is retried (the retry budget is a rate, not a concurrency cap). Both adapters. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardProcess } from './support/process-guard.js';
import { loadDrivers } from './support/drivers.js';
import { behaviours, startRawBackend } from './support/raw-backend.js';
import { send, startProxy } from './support/scenario.js';

guardProcess();
const drivers = await loadDrivers();

for (const driver of drivers) {
  describe(`hung server (${driver.name})`, () => {
    test('50 concurrent GETs, one of three servers hangs, read timeout 1 s: zero failed GETs', async (t) => {
      const ok1 = await startRawBackend('ok1', behaviours.ok());
      const hang = await startRawBackend('hang', behaviours.hang());
      const ok3 = await startRawBackend('ok3', behaviours.ok());
      t.after(async () => {
        await Promise.all([ok1.stop(), hang.stop(), ok3.stop()]);
      });
      const proxy = await startProxy(t, driver, {
        upstreams: { pool: { servers: [ok1.url, hang.url, ok3.url], timeouts: { read: 1000 } } },
        locations: { '/': 'pool' },
      });
      const retries = { timeout: 0, refused: 0 };
      proxy.switchyard.on('retry', (e) => {
        if (e.refused !== undefined) retries.refused++;
        else if (e.reason === 'timeout') retries.timeout++;
      });
      // Bounded: a fixed number of requests, each with a client deadline.
      const total = 600;
      let issued = 0;
      const failures: string[] = [];
      const worker = async (): Promise<void> => {
        while (issued < total) {
          issued++;
          try {
            const res = await send(`${proxy.url}/item`, { timeoutMs: 5000 });
            if (res.status !== 200) failures.push(`${res.status} ${res.body.toString().trim()}`);
          } catch (err) {
            failures.push(String(err));
          }
        }
      };
      await Promise.all(Array.from({ length: 50 }, worker));
      const stuck = hang.requests.length;
      assert.ok(stuck >= 1, 'the hung server got requests');
      assert.deepEqual(failures, [], `no GET may fail (${stuck} were stuck on the hung server)`);
      assert.equal(retries.refused, 0, 'the retry budget refused nothing');
      assert.equal(retries.timeout, stuck, 'every request stuck on the hung server was retried');
    });
  });
}
