/** @module The `discover` hook: updates applied as a diff, invalid lists refused whole, the signal aborted by close(); the Consul example against a Consul-compatible server, in both adapters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwitchyard, SwitchyardConfigError, type DiscoverContext } from '@switchyard/core';
import { drivers } from '../adapters/drivers/index.js';
import { startProxy } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { consulDiscover } from '../../examples/consul/consul-discover.js';
import { startFakeConsul } from './support/fake-consul.js';
import { startAddressBackends } from './support/address-backends.js';

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('discover hook', () => {
  it('applies each update as a diff and refuses an invalid list as a whole, naming the field', async (t) => {
    let ctx: DiscoverContext | undefined;
    const sy = createSwitchyard({
      upstreams: {
        api: {
          servers: [],
          discover: (c) => {
            ctx = c;
            c.update(['http://127.0.0.2:9000', { url: 'http://127.0.0.3:9000', weight: 2 }]);
          },
        },
      },
    });
    t.after(() => sy.close());
    await sy.ready();
    const urls = (): string[] =>
      sy
        .upstream('api')
        .servers()
        .map((s) => s.url);
    assert.deepEqual(urls(), ['http://127.0.0.2:9000', 'http://127.0.0.3:9000']);
    const pick = sy.upstream('api').pick()!;
    pick.release({ failure: 'error' });
    const failedUrl = pick.server.url;

    assert.throws(
      () => ctx!.update(['http://127.0.0.4:9000', { url: 'http://127.0.0.5:9000', weight: -1 }]),
      (err: unknown) =>
        err instanceof SwitchyardConfigError && /^upstreams\.api\.discover: update\(servers\)\[1\]\.weight must be a positive integer/.test(err.message),
    );
    assert.throws(() => ctx!.update('http://x:1' as never), /must be given an array of servers/);
    assert.deepEqual(urls(), ['http://127.0.0.2:9000', 'http://127.0.0.3:9000']);
    assert.match(sy.status().upstreams.api!.resolver![0]!.error ?? '', /must be given an array/);

    const events: string[] = [];
    sy.on('server:added', (e) => events.push(`+${e.url} ${e.reason}`)).on('server:removed', (e) => events.push(`-${e.url} ${e.reason}`));
    const survivor = failedUrl;
    const other = failedUrl === 'http://127.0.0.2:9000' ? 'http://127.0.0.3:9000' : 'http://127.0.0.2:9000';
    ctx!.update([survivor, 'http://127.0.0.4:9000']);
    assert.deepEqual(urls(), [survivor, 'http://127.0.0.4:9000']);
    assert.deepEqual(events, [`-${other} discover`, '+http://127.0.0.4:9000 discover']);
    // The survivor kept its failure; the error is cleared by the good update.
    assert.equal(sy.status().upstreams.api!.servers[0]!.state, 'failed');
    assert.equal(sy.status().upstreams.api!.resolver![0]!.error, undefined);
    ctx!.update([]);
    assert.deepEqual(urls(), []);
    assert.equal(sy.upstream('api').pick(), undefined);
  });

  it('a hook that throws synchronously: discovery:error, the error in status, ready() settles without waiting for the resolver timeout', async (t) => {
    const events: string[] = [];
    const sy = createSwitchyard({
      upstreams: {
        api: {
          discover: () => {
            throw new Error('no registry address');
          },
          // Were the failure ignored, ready() would settle at this timeout with no event and no error.
          resolver: { timeout: '3s' },
        },
      },
    });
    t.after(() => sy.close());
    sy.on('discovery:error', (e) => events.push(`${e.upstream} ${e.source}: ${e.error}`));
    await sy.ready();
    assert.deepEqual(events, ['api discover: no registry address']);
    assert.equal(sy.status().upstreams.api!.resolver![0]!.error, 'no registry address');
    assert.deepEqual(sy.upstream('api').servers(), []);
  });

  it('close() aborts the signal; later updates are ignored', async () => {
    let ctx: DiscoverContext | undefined;
    const sy = createSwitchyard({ upstreams: { api: { discover: (c) => void (ctx = c) } } });
    assert.equal(ctx?.signal.aborted, false);
    await sy.close();
    assert.equal(ctx?.signal.aborted, true);
    ctx.update(['http://127.0.0.2:9000']);
    assert.deepEqual(sy.upstream('api').servers(), []);
  });
});

for (const driver of drivers) {
  describe(`${driver.name}: examples/consul`, () => {
    it('follows a Consul service through blocking queries', async (t) => {
      const consul = await startFakeConsul();
      t.after(() => consul.close());
      const backends = await startAddressBackends(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
      t.after(() => backends.close());
      consul.setInstances('web', [
        { address: '127.0.0.2', port: backends.port },
        { address: '127.0.0.3', port: backends.port },
      ]);
      const proxy = await startProxy(t, driver, {
        upstreams: { web: { discover: consulDiscover({ consul: consul.url, service: 'web', wait: '2s', retryMs: 100 }) } },
        locations: { '/': 'web' },
      });
      const first = [(await call(`${proxy.url}/`)).body, (await call(`${proxy.url}/`)).body].sort();
      assert.deepEqual(first, ['127.0.0.2', '127.0.0.3']);
      consul.setInstances('web', [{ address: '127.0.0.4', port: backends.port, weight: 3 }]);
      await until(async () => (await call(`${proxy.url}/`)).body === '127.0.0.4', 10_000, 'the new instance');
      assert.deepEqual(
        proxy.switchyard.status().upstreams.web!.servers.map((s) => [s.url, s.weight]),
        [[`http://127.0.0.4:${backends.port}`, 3]],
      );
      // The second query carried the index of the first answer: a blocking query.
      assert.match(consul.queries[1] ?? '', /^\/v1\/health\/service\/web\?passing&index=[1-9]\d*&wait=2s$/);
    });
  });
}

for (const driver of drivers) {
  describe(`${driver.name}: start-up without a window of 502s`, () => {
    it('a request arriving before the first update waits for it; a hook that never answers is waited for at most the resolver timeout', async (t) => {
      const backends = await startAddressBackends(['127.0.0.2']);
      t.after(() => backends.close());
      let late: NodeJS.Timeout | undefined;
      t.after(() => clearTimeout(late));
      const proxy = await startProxy(t, driver, {
        upstreams: {
          slow: { discover: ({ update }) => void (late = setTimeout(() => update([`http://127.0.0.2:${backends.port}`]), 300)), resolver: { timeout: '5s' } },
          never: { discover: () => {}, resolver: { timeout: '300ms' } },
        },
        locations: { '/slow/': 'slow', '/never/': 'never' },
      });
      // Fastify's register waited for ready(); Express holds these requests until then.
      const [slow, never] = await Promise.all([call(`${proxy.url}/slow/`), call(`${proxy.url}/never/`)]);
      assert.equal(slow.status, 200);
      assert.equal(slow.body, '127.0.0.2');
      assert.equal(never.status, 502);
    });
  });
}
