/** @module Type test: `app.switchyard` and `reply.proxyTo` are typed for users (checked by `tsc`; the lines marked @ts-expect-error must fail to compile). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyReply } from 'fastify';
import switchyard, { switchyard as named, type ProxyToOptions } from '@switchyard/fastify';
import type { StatusSnapshot, Switchyard } from '@switchyard/core';

describe('types', () => {
  it('augments FastifyInstance and FastifyReply', async () => {
    const app = Fastify();
    await app.register(switchyard, { upstreams: { api: ['http://127.0.0.1:9'] } });
    const sy: Switchyard = app.switchyard;
    const snapshot: StatusSnapshot = sy.status();
    assert.equal(named, switchyard);
    const options: ProxyToOptions = { rewritePrefix: '/', preserveHost: true, timeouts: { read: '5s' } };
    app.get('/typed/*', (_req, reply) => {
      const same: FastifyReply = reply.proxyTo('api', options);
      // @ts-expect-error upstream must be a string
      reply.proxyTo(42);
      // @ts-expect-error rewritePrefix must be a string
      reply.proxyTo('api', { rewritePrefix: 1 });
      return same;
    });
    // @ts-expect-error the plugin needs upstreams
    void app.register(switchyard, { locations: {} });
    await app.close();
    assert.ok(snapshot.upstreams.api);
  });
});
