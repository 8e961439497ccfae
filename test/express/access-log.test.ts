/** @module The access log on Express: one line per proxied request to the destination given, and the facts for morgan / pino-http users. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { switchyard, accessLogFields, morganTokens, requestFacts } from '@switchyard/express';
import type { RequestFacts } from '@switchyard/core';
import { backendsFor } from '../adapters/support/setup.js';
import { call, waitFor } from '../adapters/support/http.js';
import { listen } from './support.js';

describe('Express access log', () => {
  it('accessLog: true writes the upstream format: combined plus the tries of a refused server and a 200', async (t) => {
    const backends = await backendsFor(t, 2);
    const [down, up] = backends as [(typeof backends)[0], (typeof backends)[0]];
    await down.stop();
    const lines: string[] = [];
    const lb = switchyard(
      { upstreams: { app: [down.url, up.url] }, locations: { '/': 'app' }, accessLog: true },
      { logger: false, accessLog: (l) => lines.push(l) },
    );
    const app = express();
    app.use(lb);
    const running = await listen(app, lb, app);
    t.after(() => running.close());
    assert.equal((await call(`${running.url}/hello?x=1`, { headers: { 'user-agent': 'test-agent', referer: 'http://r/' } })).status, 200);
    await waitFor(() => lines.length === 1);
    const host = (u: string): string => u.replace('http://', '');
    const t1 = String.raw`\d+\.\d{3}`;
    assert.match(
      lines[0] as string,
      new RegExp(
        String.raw`^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /hello\?x=1 HTTP/1\.1" 200 ${Buffer.byteLength(up.name)} "http://r/" "test-agent"` +
          String.raw` upstream=app addr="${host(down.url)}, ${host(up.url)}" status="502, 200" connect="${t1}, ${t1}" header="${t1}, ${t1}" response="${t1}, ${t1}" request_time=${t1}$`,
      ),
    );
  });

  it('res.locals.switchyard, accessLogFields and morgan tokens read the facts when the response finishes', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const seen: Array<{ facts: RequestFacts | undefined; fields: Record<string, string | number> | undefined; token: string | undefined }> = [];
    const tokens = new Map<string, (req: IncomingMessage, res: ServerResponse) => string | undefined>();
    morganTokens({ token: (name, fn) => tokens.set(name, fn) });
    assert.ok(tokens.has('upstream_addr') && tokens.has('upstream_status') && tokens.has('upstream_response_time'));
    const lb = switchyard({ upstreams: { app: [backend!.url] }, locations: { '/': 'app' }, accessLog: true }, { logger: false, accessLog: false });
    const app = express();
    // As morgan and pino-http do: a listener on 'finish' registered before the proxy runs.
    app.use((req, res, next) => {
      res.on('finish', () =>
        seen.push({ facts: res.locals.switchyard as RequestFacts | undefined, fields: accessLogFields(res), token: tokens.get('upstream_status')?.(req, res) }),
      );
      next();
    });
    app.use(lb);
    const running = await listen(app, lb, app);
    t.after(() => running.close());
    assert.equal((await call(`${running.url}/x`)).status, 200);
    await waitFor(() => seen.length === 1);
    const [entry] = seen;
    assert.equal(entry?.facts?.tries[0]?.server, backend!.url);
    assert.equal(entry?.facts?.status, 200);
    assert.equal(entry?.fields?.upstream_addr, backend!.url.replace('http://', ''));
    assert.equal(entry?.fields?.status, 200);
    assert.equal(entry?.token, '200');
  });

  it('without accessLog no facts are made', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const lb = switchyard({ upstreams: { app: [backend!.url] }, locations: { '/': 'app' } }, { logger: false });
    const found: Array<RequestFacts | undefined> = [];
    const app = express();
    app.use((_req, res, next) => {
      res.on('finish', () => found.push(requestFacts(res)));
      next();
    });
    app.use(lb);
    const running = await listen(app, lb, app);
    t.after(() => running.close());
    assert.equal((await call(`${running.url}/`)).status, 200);
    await waitFor(() => found.length === 1);
    assert.equal(found[0], undefined);
  });
});
