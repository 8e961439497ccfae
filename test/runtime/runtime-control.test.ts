/** @module Runtime add/remove/drain through both adapters while requests flow: zero failed requests, in-flight ones finish, events fire, status matches. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SwitchyardEvents } from '@switchyard/core';
import { drivers } from '../adapters/drivers/index.js';
import { backendsFor, startProxy } from '../adapters/support/setup.js';
import { bodies, call } from '../adapters/support/http.js';
import { holding, requestLoop } from './holding-backends.js';
import { waitFor } from '../health/fake-pool.js';

for (const driver of drivers) {
  describe(`${driver.name}: runtime control`, () => {
    it('add, drain and remove servers under a running request loop with zero failed requests', async (t) => {
      const [a, b, c] = await backendsFor(t, 3);
      if (!a || !b || !c) throw new Error('backends');
      const hold = holding([a, b, c]);
      const proxy = await startProxy(t, driver, { upstreams: { app: [a.url, b.url] }, locations: { '/': 'app' }, status: { path: '/_status' } });
      const sy = proxy.switchyard;
      const events: string[] = [];
      sy.on('server:added', (e: SwitchyardEvents['server:added']) => events.push(`added ${e.url}`));
      sy.on('server:updated', (e: SwitchyardEvents['server:updated']) => events.push(`updated ${e.url} ${JSON.stringify(e.patch)}`));
      sy.on('server:removed', (e: SwitchyardEvents['server:removed']) => events.push(`removed ${e.url}`));

      const requestsOf = (url: string): number => sy.status().upstreams.app!.servers.find((s) => s.url === url)!.requests;

      const loop = requestLoop(proxy.url, 4, 4000);
      t.after(() => loop.stop());
      await loop.more(30);

      // Added: it takes traffic right away.
      sy.addServer('app', c.url);
      assert.deepEqual(events, [`added ${c.url}`]);
      await waitFor(() => c.seen.length >= 5, 'traffic on the added server', 20000);

      // Drained with a request in flight on it: that one finishes, no new one arrives.
      const onB = await hold.holdOn(proxy.url, b);
      sy.setServer('app', b.url, { drain: true });
      // Picks already made before the drain may still be on their way: count picks, not arrivals.
      const bPicked = requestsOf(b.url);
      assert.equal(events.at(-1), `updated ${b.url} {"drain":true}`);
      await loop.more(40);
      assert.equal(requestsOf(b.url), bPicked);
      assert.equal(b.seen.length, bPicked);
      onB.release();
      const bAnswer = await onB.answer;
      assert.deepEqual([bAnswer.status, bAnswer.body], [200, `${b.name} (held)`]);

      // Removed with a request in flight on it: same.
      const onA = await hold.holdOn(proxy.url, a);
      const aPicked = requestsOf(a.url);
      assert.equal(sy.removeServer('app', a.url), true);
      assert.equal(events.at(-1), `removed ${a.url}`);
      await loop.more(40);
      assert.equal(a.seen.length, aPicked);
      onA.release();
      const aAnswer = await onA.answer;
      assert.deepEqual([aAnswer.status, aAnswer.body], [200, `${a.name} (held)`]);

      await loop.stop();
      assert.deepEqual(loop.errors, []);
      assert.deepEqual(
        loop.answers.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.body}`),
        [],
      );
      assert.ok(loop.answers.every((x) => [a.name, b.name, c.name].includes(x.body)));
      assert.equal(events.length, 3);

      // Every request reached exactly one server, and status counts what the remaining servers got.
      await waitFor(() => sy.status().upstreams.app!.servers.every((s) => s.active === 0), 'active back to 0');
      const heldAnswers = [...hold.held.values()].reduce((n, list) => n + list.length, 0);
      assert.equal(a.seen.length + b.seen.length + c.seen.length, loop.answers.length + heldAnswers);
      const servers = sy.status().upstreams.app!.servers;
      assert.deepEqual(
        servers.map((s) => [s.url, s.state]),
        [
          [b.url, 'draining'],
          [c.url, 'up'],
        ],
      );
      assert.deepEqual(
        servers.map((s) => s.requests),
        [b.seen.length, c.seen.length],
      );
      assert.deepEqual(
        servers.map((s) => s.responses['2xx']),
        [b.seen.length, c.seen.length],
      );
      assert.deepEqual(
        servers.map((s) => s.fails),
        [0, 0],
      );
      const served = JSON.parse((await call(`${proxy.url}/_status`)).body) as ReturnType<typeof sy.status>;
      assert.deepEqual(
        served.upstreams.app!.servers.map((s) => s.requests),
        [b.seen.length, c.seen.length],
      );
    });

    it('an added server takes the next picks, a downed one none, and each change fires its event', async (t) => {
      const [a, b, c] = await backendsFor(t, 3);
      if (!a || !b || !c) throw new Error('backends');
      const proxy = await startProxy(t, driver, { upstreams: { app: [a.url, b.url] }, locations: { '/': 'app' } });
      const sy = proxy.switchyard;
      const events: string[] = [];
      sy.on('server:added', (e) => events.push(`added ${e.url}`));
      sy.on('server:removed', (e) => events.push(`removed ${e.url}`));
      sy.on('server:updated', (e) => events.push(`updated ${e.url} ${JSON.stringify(e.patch)}`));
      sy.on('server:down', (e) => events.push(`down ${e.url} ${e.state} ${e.reason}`));
      sy.on('server:up', (e) => events.push(`up ${e.url} ${e.reason}`));
      assert.deepEqual(await bodies(`${proxy.url}/x`, 2), [a.name, b.name]);
      sy.addServer('app', c.url);
      assert.deepEqual((await bodies(`${proxy.url}/x`, 3)).sort(), [a.name, b.name, c.name].sort());
      sy.setServer('app', a.url, { down: true });
      const whileDown = await bodies(`${proxy.url}/x`, 4);
      assert.deepEqual(whileDown.sort(), [b.name, b.name, c.name, c.name].sort());
      sy.setServer('app', a.url, { down: false });
      sy.setServer('app', b.url, { weight: 3 });
      assert.equal(sy.removeServer('app', c.url), true);
      assert.equal(sy.removeServer('app', c.url), false);
      assert.deepEqual(events, [
        `added ${c.url}`,
        `updated ${a.url} {"down":true}`,
        `down ${a.url} down admin`,
        `updated ${a.url} {"down":false}`,
        `up ${a.url} admin`,
        `updated ${b.url} {"weight":3}`,
        `removed ${c.url}`,
      ]);
      const weights = sy.status().upstreams.app!.servers.map((s) => [s.url, s.weight, s.state]);
      assert.deepEqual(weights, [
        [a.url, 1, 'up'],
        [b.url, 3, 'up'],
      ]);
    });
  });
}
