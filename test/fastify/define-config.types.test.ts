/** @module Type test: options declared in a variable before `register` / `switchyard()` (checked by `tsc`; the lines marked @ts-expect-error must fail to compile). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import express from 'express';
import switchyard, { defineConfig, type SwitchyardOptions, type SwitchyardRouteHandler } from '@switchyard/fastify';
import { switchyard as expressSwitchyard, defineConfig as expressDefineConfig } from '@switchyard/express';
import { defineConfig as coreDefineConfig } from '@switchyard/core';

describe('types: options in a const', () => {
  it('defineConfig() and `satisfies SwitchyardOptions` keep literal types; a plain const does not', async () => {
    const viaHelper = defineConfig({
      upstreams: { api: { servers: ['http://127.0.0.1:9'], balance: 'hash', hash: { key: '$remote_addr' } } },
      locations: { '/api/': { upstream: 'api', rewritePrefix: '/' } },
      closeTimeout: '5s',
    });
    const viaSatisfies = {
      upstreams: { api: { servers: ['http://127.0.0.1:9'], balance: 'random-two' } },
    } satisfies SwitchyardOptions;
    const plain = { upstreams: { api: { servers: ['http://127.0.0.1:9'], balance: 'least-conn' } } };

    const app = Fastify();
    await app.register(switchyard, viaHelper);
    const handler: SwitchyardRouteHandler = app.switchyard.handler('api');
    app.get('/x/*', handler);
    await app.close();

    const lb = expressSwitchyard(viaSatisfies, { logger: false });
    express().use(lb).use('/v2', lb.proxyTo('api'));
    await lb.close();

    // @ts-expect-error `balance` was widened to string: the reason defineConfig exists
    const widened: SwitchyardOptions = plain;
    // @ts-expect-error defineConfig checks where the options are written
    defineConfig({ upstreams: { api: { servers: ['http://127.0.0.1:9'], balance: 'fastest' } } });
    // @ts-expect-error closeTimeout is a Duration
    defineConfig({ upstreams: { api: ['http://127.0.0.1:9'] }, closeTimeout: true });

    assert.equal(expressDefineConfig, coreDefineConfig);
    assert.equal(defineConfig, coreDefineConfig);
    assert.equal(defineConfig(viaSatisfies), viaSatisfies);
    assert.ok(widened);
  });
});
