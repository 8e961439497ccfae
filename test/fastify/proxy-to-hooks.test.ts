/** @module reply.proxyTo with hooks: each route keeps its own hook functions (the location cache tells them apart), the route's request object reaches the hook. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import type { RequestHookContext } from '@switchyard/core';
import { backendsFor } from '../adapters/support/setup.js';
import { call } from '../adapters/support/http.js';
import { startApp } from './support.js';

describe('reply.proxyTo with hooks', () => {
  it('uses the hooks of each call, even with otherwise equal options', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const tag = (name: string) => (ctx: RequestHookContext<FastifyRequest>) => {
      ctx.headers['x-route'] = `${name} ${ctx.req.routeOptions.url ?? ''}`;
    };
    const first = tag('first');
    const second = tag('second');
    const { url } = await startApp(t, { upstreams: { backend: [backend!.url] } }, (app) => {
      app.get('/x/:which', (req, reply) => {
        const which = (req.params as { which: string }).which;
        return reply.proxyTo('backend', { prefix: '/', rewriteRequest: which === 'a' ? first : second });
      });
    });
    await call(`${url}/x/a`);
    await call(`${url}/x/b`);
    await call(`${url}/x/a`);
    assert.deepEqual(
      backend!.seen.map((s) => s.headers['x-route']),
      ['first /x/:which', 'second /x/:which', 'first /x/:which'],
    );
  });

  it('refuses a hook that is not a function when the route runs: a plain 500, the detail only in the log', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { url } = await startApp(t, { upstreams: { backend: [backend!.url] } }, (app) => {
      app.get('/bad', (_req, reply) => reply.proxyTo('backend', { onError: 'nope' as never }));
    });
    const answer = await call(`${url}/bad`);
    assert.equal(answer.status, 500);
    assert.equal(answer.body, 'Internal Server Error\n');
    assert.equal(backend!.seen.length, 0);
  });
});
