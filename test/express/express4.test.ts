/** @module Smoke test on Express 4 (the `express4` alias): round robin, a parsed JSON body, proxyTo on a mount, next() for the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { switchyard } from '@switchyard/express';
import { startBackends, stopAll } from '../helpers/backends.js';
import { echo, listen, send } from './support.js';

type Express4 = typeof import('express');
const express4 = createRequire(import.meta.url)('express4') as Express4;

test('Express 4: seed round robin, express.json body, proxyTo mount, next()', async (t) => {
  const backends = await startBackends(3);
  t.after(() => stopAll(backends));
  const lb = switchyard({ upstreams: { seed: backends.map((b) => b.url) }, locations: { '/': 'seed' } });
  const app = express4();
  assert.match((createRequire(import.meta.url)('express4/package.json') as { version: string }).version, /^4\./);
  app.get('/local', (_req, res) => {
    res.send('local');
  });
  app.use(express4.json());
  app.use('/mounted', lb.proxyTo('seed', { rewritePrefix: '/' }));
  app.use(lb);
  const server = await listen(app, lb);
  t.after(() => server.close());

  const names: string[] = [];
  for (let i = 0; i < 6; i++) names.push((await send(`${server.url}/`)).text);
  assert.deepEqual(names, ['Server 1', 'Server 2', 'Server 3', 'Server 1', 'Server 2', 'Server 3']);
  assert.equal((await send(`${server.url}/local`)).text, 'local');

  for (const b of backends) b.handle(echo(b.name));
  const posted = JSON.parse(
    (await send(`${server.url}/mounted/items?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{ "a" : 1 }' })).text,
  ) as {
    url: string;
    body: string;
    headers: Record<string, string>;
  };
  assert.equal(posted.url, '/items?x=1');
  assert.equal(posted.body, '{"a":1}');
  assert.equal(posted.headers['content-length'], '7');
  // Express 4's body-parser sets req.body = {} on a GET without consuming anything: nothing is sent.
  const got = JSON.parse((await send(`${server.url}/plain`)).text) as { body: string; headers: Record<string, string> };
  assert.equal(got.body, '');
  assert.equal(got.headers['content-length'], undefined);
});
