/** @module Both adapters follow a real DNS server (dnsmasq): round robin over every address, Host keeps the name, answer changes with zombies finishing, SRV backups. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { drivers } from '../adapters/drivers/index.js';
import { startProxy } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { startDns, type DnsServer } from './support/dnsmasq.js';
import { startAddressBackends, type AddressBackends } from './support/address-backends.js';

let dns: DnsServer;
let backends: AddressBackends;
const BASE_HOSTS = ['127.0.0.2 api.test', '127.0.0.3 api.test', '127.0.0.4 api.test', '127.0.0.2 p1.test', '127.0.0.3 b1.test'];

before(async () => {
  backends = await startAddressBackends(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']);
  dns = await startDns({
    hosts: BASE_HOSTS,
    srv: [`_http._tcp.svc.test,p1.test,${backends.port},0,5`, `_http._tcp.svc.test,b1.test,${backends.port},1,0`],
  });
});
after(async () => {
  await dns?.stop();
  await backends?.close();
});

/** Polls `check` every 50 ms, at most `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const driver of drivers) {
  describe(`${driver.name}: resolve: true`, () => {
    it('spreads requests over every address of the name, with Host naming the name, from the first request on', async (t) => {
      for (const b of backends.byAddress.values()) b.hosts.length = 0;
      const proxy = await startProxy(t, driver, {
        upstreams: { api: { servers: [{ url: `http://api.test:${backends.port}`, resolve: true }], resolver: { servers: [dns.address], timeout: '2s' } } },
        locations: { '/': 'api' },
      });
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) {
        const answer = await call(`${proxy.url}/`);
        assert.equal(answer.status, 200);
        seen.push(answer.body);
      }
      assert.deepEqual([...seen].sort(), ['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3', '127.0.0.4', '127.0.0.4']);
      for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
        assert.deepEqual(backends.byAddress.get(address)!.hosts, [`api.test:${backends.port}`, `api.test:${backends.port}`]);
      }
      const status = proxy.switchyard.status().upstreams.api!;
      assert.deepEqual(
        status.servers.map((s) => [s.url, s.name]),
        [
          [`http://127.0.0.2:${backends.port}`, 'api.test'],
          [`http://127.0.0.3:${backends.port}`, 'api.test'],
          [`http://127.0.0.4:${backends.port}`, 'api.test'],
        ],
      );
      assert.equal(status.resolver?.[0]?.name, 'api.test');
      assert.deepEqual(status.resolver?.[0]?.answer, ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    });

    it('moves new requests to a changed answer while a slow request on a removed address completes with 200', async (t) => {
      const name = `${driver.name}-move.test`;
      await dns.setHosts([...BASE_HOSTS, `127.0.0.5 ${name}`]);
      t.after(() => dns.setHosts(BASE_HOSTS));
      const held: ServerResponse[] = [];
      const slow = backends.byAddress.get('127.0.0.5')!;
      slow.handle((req, res) => {
        if (req.url === '/slow') held.push(res);
        else res.end('127.0.0.5');
      });
      t.after(() => slow.handle(undefined));
      const proxy = await startProxy(t, driver, {
        upstreams: { api: { servers: [{ url: `http://${name}:${backends.port}`, resolve: true }], resolver: { servers: [dns.address], timeout: '1s' } } },
        locations: { '/': 'api' },
        status: { path: '/_status' },
      });
      const removed: string[] = [];
      proxy.switchyard.on('server:removed', (e) => removed.push(`${e.url} ${e.reason} ${e.name}`));
      const slowAnswer = call(`${proxy.url}/slow`);
      await until(() => held.length === 1, 5000, 'the slow request');
      await dns.setHosts([...BASE_HOSTS, `127.0.0.6 ${name}`]);
      await until(async () => (await call(`${proxy.url}/`)).body === '127.0.0.6', 10_000, 'traffic on the new address');
      const status = proxy.switchyard.status().upstreams.api!;
      assert.deepEqual(
        status.servers.map((s) => s.url),
        [`http://127.0.0.6:${backends.port}`],
      );
      assert.deepEqual(
        status.zombies?.map((s) => [s.url, s.active]),
        [[`http://127.0.0.5:${backends.port}`, 1]],
      );
      assert.deepEqual(removed, [`http://127.0.0.5:${backends.port} dns ${name}`]);
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/`)).body, '127.0.0.6');
      // The status JSON and page show the zombie, the name each address came from and the resolver state.
      const json = JSON.parse((await call(`${proxy.url}/_status`, { headers: { accept: 'application/json' } })).body);
      assert.deepEqual(
        json.upstreams.api.zombies.map((s: { url: string; name: string }) => [s.url, s.name]),
        [[`http://127.0.0.5:${backends.port}`, name]],
      );
      assert.deepEqual(
        json.upstreams.api.resolver.map((r: { name: string; answer: string[] }) => [r.name, r.answer]),
        [[name, ['127.0.0.6']]],
      );
      const page = (await call(`${proxy.url}/_status`, { headers: { accept: 'text/html' } })).body;
      assert.match(page, new RegExp(`<tr class="state-zombie" data-url="http://127.0.0.5:${backends.port}">`));
      assert.match(page, new RegExp(`http://127.0.0.6:${backends.port}<span class="from"> \u2190 ${name.replace(/\./g, '\\.')}</span>`));
      assert.match(page, new RegExp(`<tr data-name="${name.replace(/\./g, '\\.')}"><td class="url">[^<]+</td><td class="answer">127\\.0\\.0\\.6</td>`));
      held[0]!.end('slow done');
      const answer = await slowAnswer;
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'slow done');
      assert.equal(proxy.switchyard.status().upstreams.api!.zombies, undefined);
    });

    it('SRV: the lowest priority serves, the others are backups used only when it is down', async (t) => {
      for (const b of backends.byAddress.values()) b.hosts.length = 0;
      const proxy = await startProxy(t, driver, {
        upstreams: { api: { servers: [{ url: 'http://svc.test', resolve: true, service: 'http', maxFails: 1 }], resolver: { servers: [dns.address] } } },
        locations: { '/': 'api' },
      });
      // Fastify awaited it at registration; Express holds requests until then (none was sent yet).
      await proxy.switchyard.ready();
      const status = proxy.switchyard.status().upstreams.api!;
      assert.deepEqual(
        status.servers.map((s) => [s.url, s.backup, s.weight]),
        [
          [`http://127.0.0.2:${backends.port}`, false, 5],
          [`http://127.0.0.3:${backends.port}`, true, 1],
        ],
      );
      assert.equal(status.resolver?.[0]?.name, '_http._tcp.svc.test');
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/`)).body, '127.0.0.2');
      assert.deepEqual(backends.byAddress.get('127.0.0.2')!.hosts, ['svc.test', 'svc.test', 'svc.test']);
      const primary = backends.byAddress.get('127.0.0.2')!;
      primary.handle((_req, res) => res.socket?.destroy());
      t.after(() => primary.handle(undefined));
      for (let i = 0; i < 3; i++) assert.equal((await call(`${proxy.url}/`)).body, '127.0.0.3');
    });
  });
}
