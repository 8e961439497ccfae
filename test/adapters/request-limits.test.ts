/** @module Scenario: the request limits on both adapters: a limit_conn slot comes back when the response ends or the client leaves (never leaks), a limit_req delay resumes the request or is aborted when the client leaves, a refused request is answered before any upstream. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import type { Location, SwitchyardOptions } from '@switchyard/core';
import { drivers } from './drivers/index.js';
import { backendsFor, startProxy } from './support/setup.js';
import { call, waitFor } from './support/http.js';

const zoneSize = (location: Location | undefined): number => location?.limits?.connections[0]?.zone.size ?? -1;

for (const driver of drivers) {
  describe(`${driver.name}: request limits`, () => {
    it('limit_conn: a second request in progress is refused 503; the slot comes back when the client aborts and when a response ends', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((req, res) => {
        if (req.url === '/hang') return;
        res.end('ok');
      });
      const options: SwitchyardOptions = {
        upstreams: { app: [backend!.url] },
        limitZones: { addr: { kind: 'connections', key: '$binary_remote_addr' } },
        locations: { '/': { upstream: 'app', limits: { connections: [{ zone: 'addr', max: 1 }] } } },
      };
      const proxy = await startProxy(t, driver, options);
      const location = proxy.switchyard.config.locations[0];
      const held = httpRequest(`${proxy.url}/hang`, { agent: false });
      held.on('error', () => {});
      held.end();
      await waitFor(() => backend!.seen.length === 1);
      const refused = await call(`${proxy.url}/x`);
      assert.equal(refused.status, 503);
      assert.match(refused.body, /503 Service Temporarily Unavailable/);
      assert.equal(backend!.seen.length, 1, 'the refused request reached no upstream');
      held.destroy();
      await waitFor(() => zoneSize(location) === 0);
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/ok`)).status, 200, `request ${i} after the abort`);
      await waitFor(() => zoneSize(location) === 0);
    });

    it('limit_req without nodelay: the excess waits for its delay, then is proxied; a client leaving during the delay aborts it', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => res.end('ok'));
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        limitZones: { one: { kind: 'requests', key: '$binary_remote_addr', rate: '4r/s' } },
        locations: { '/': { upstream: 'app', limits: { requests: [{ zone: 'one', burst: 5 }] } } },
      });
      const sy = proxy.switchyard;
      const signals: AbortSignal[] = [];
      const admit = sy.admit.bind(sy);
      sy.admit = (location, request, signal) => {
        if (signal !== undefined) signals.push(signal);
        return admit(location, request, signal);
      };
      const [a, b] = await Promise.all([call(`${proxy.url}/1`), call(`${proxy.url}/2`)]);
      assert.deepEqual([a.status, b.status], [200, 200]);
      assert.equal(backend!.seen.length, 2, 'the delayed one reached the upstream after its delay');

      // The zone's excess is at most 2000 now (1000 leaked per 250 ms): the next request waits.
      const gone = httpRequest(`${proxy.url}/3`, { agent: false });
      gone.on('error', () => {});
      gone.end();
      await waitFor(() => signals.length === 3);
      gone.destroy();
      await waitFor(() => signals[2]!.aborted);
      assert.equal((await call(`${proxy.url}/4`)).status, 200);
      assert.ok(!backend!.seen.some((r) => r.url === '/3'), 'the aborted request never reached the upstream');
    });

    it('allow/deny and auth_basic answer before any upstream, with nginx pages; a refused body does not break keep-alive', async (t) => {
      const [backend] = await backendsFor(t, 1);
      backend!.handle((_req, res) => res.end('ok'));
      const proxy = await startProxy(t, driver, {
        upstreams: { app: [backend!.url] },
        locations: {
          '/deny/': { upstream: 'app', limits: { access: [{ deny: '127.0.0.0/8' }] } },
          '/auth/': { upstream: 'app', limits: { basicAuth: { realm: 'Team', users: { ann: '{PLAIN}pw' } } } },
        },
      });
      // One keep-alive connection: the refused request's body is drained, the next request reuses the socket.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      t.after(() => agent.destroy());
      const viaAgent = (path: string, body?: string): Promise<{ status: number; body: string; reused: boolean }> =>
        new Promise((resolve, reject) => {
          const req = httpRequest(
            `${proxy.url}${path}`,
            { agent, method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? {} : { 'content-length': body.length } },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (text += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket }));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const denied = await viaAgent('/deny/x', 'x'.repeat(100_000));
      assert.equal(denied.status, 403);
      assert.match(denied.body, /403 Forbidden/);
      const after = await viaAgent('/deny/y');
      assert.equal(after.status, 403);
      assert.equal(after.reused, true, 'the connection stayed open after the refused body');
      const missing = await call(`${proxy.url}/auth/x`);
      assert.equal(missing.status, 401);
      assert.equal(missing.headers['www-authenticate'], 'Basic realm="Team"');
      const right = await call(`${proxy.url}/auth/x`, { headers: { authorization: `Basic ${Buffer.from('ann:pw').toString('base64')}` } });
      assert.equal(right.status, 200);
      assert.equal(backend!.seen.length, 1);
    });
  });
}
