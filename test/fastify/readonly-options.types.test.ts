/** @module Type test: options written `as const` (readonly arrays and objects) are accepted by core, the Fastify plugin and the Express middleware (checked by `tsc`; the lines marked @ts-expect-error must fail to compile). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import express from 'express';
import switchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import { createSwitchyard, type SwitchyardOptions, type TlsOptions } from '@switchyard/core';

const SERVERS = ['http://127.0.0.1:9', 'http://127.0.0.2:9'] as const;

const CONFIG = {
  upstreams: {
    api: {
      servers: SERVERS,
      retry: { on: ['error', 'timeout', 503], tries: 2 },
      interceptErrors: [502, 503],
      onError: () => undefined,
    },
    shop: { servers: [{ url: 'http://127.0.0.1:9', weight: 2 }], sticky: { route: ['$cookie_route', '$arg_route'] } },
    learnt: { servers: SERVERS, sticky: { learn: { create: ['$upstream_cookie_sid'], lookup: ['$cookie_sid'] } } },
    found: {
      discover: ({ update }: { update: (servers: readonly string[]) => void }) => update(SERVERS),
    },
    plain: SERVERS,
  },
  locations: { '/api/': { upstream: 'api', rewritePrefix: '/', headers: { 'x-from': 'lb' } }, '/shop/': 'shop' },
  trustProxy: ['127.0.0.1', '10.0.0.0/8'],
  resolver: { servers: ['127.0.0.1:5353'] },
} as const;

describe('types: readonly (`as const`) options', () => {
  it('core, Fastify and Express accept them; proxyTo options too', async () => {
    const typed: SwitchyardOptions = CONFIG;
    // Types only (a PEM list is checked when the options are resolved).
    const tls: TlsOptions = { ca: ['-----BEGIN CERTIFICATE-----\n', Buffer.from('')] } as const;
    const sy = createSwitchyard(CONFIG);
    assert.deepEqual(
      sy.status().upstreams.api?.servers.map((s) => s.url),
      [...SERVERS],
    );
    await sy.close();

    const app = Fastify();
    await app.register(switchyard, CONFIG);
    const retry = { on: ['error', 502] } as const;
    app.get('/to/*', (_req, reply) => reply.proxyTo('plain', { retry, interceptErrors: [502] as const, onError: () => undefined }));
    await app.close();

    const lb = expressSwitchyard(CONFIG, { logger: false });
    express().use(lb).use('/to', lb.proxyTo('plain', { retry }));
    await lb.close();

    const WRONG = [9000, 9001] as const;
    // @ts-expect-error readonly is accepted, a wrong element type still is not
    assert.throws(() => createSwitchyard({ upstreams: { api: WRONG } }), /servers\[0\] must be a url string/);
    assert.ok(typed && tls);
  });
});
