/** @module The access log on Fastify: the upstream fields join Fastify's own "request completed" line, one line per request, retries included. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { backendsFor } from '../adapters/support/setup.js';
import { call, waitFor } from '../adapters/support/http.js';
import { startApp } from './support.js';

type Line = Record<string, unknown> & { msg: string };

function logCapture(): { lines: Line[]; stream: Writable } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { lines, stream };
}

const completed = (lines: Line[]): Line[] => lines.filter((l) => l.msg === 'request completed');

describe('Fastify access log', () => {
  it('accessLog: true adds the json fields to the request completed line: a refused try then a 200', async (t) => {
    const backends = await backendsFor(t, 2);
    const [down, up] = backends as [(typeof backends)[0], (typeof backends)[0]];
    await down.stop();
    const { lines, stream } = logCapture();
    const { url } = await startApp(t, { upstreams: { app: [down.url, up.url] }, locations: { '/': 'app' }, accessLog: true }, undefined, {
      logger: { level: 'info', stream },
    });
    const answer = await call(`${url}/hello?x=1`, { headers: { 'user-agent': 'test-agent' } });
    assert.equal(answer.status, 200);
    await waitFor(() => completed(lines).length === 1);
    const line = completed(lines)[0] as Line;
    const host = (u: string): string => u.replace('http://', '');
    assert.equal(line.upstream_addr, `${host(down.url)}, ${host(up.url)}`);
    assert.equal(line.upstream_status, '502, 200');
    assert.equal(line.upstream_tries, '2');
    assert.equal(line.upstream_name, 'app');
    assert.equal(line.status, 200);
    assert.equal(line.request, 'GET /hello?x=1 HTTP/1.1');
    assert.equal(line.remote_addr, '127.0.0.1');
    assert.equal(line.http_user_agent, 'test-agent');
    assert.equal(line.body_bytes_sent, Buffer.byteLength(up.name));
    assert.match(String(line.upstream_response_time), /^\d+\.\d{3}, \d+\.\d{3}$/);
    assert.match(String(line.upstream_connect_time), /^\d+\.\d{3}, \d+\.\d{3}$/);
    assert.equal(typeof line.request_time, 'number');
    // Fastify's own fields are still there: one line, not two.
    assert.equal(typeof line.responseTime, 'number');
    assert.equal(lines.filter((l) => 'upstream_addr' in l).length, 1);
  });

  it('a log_format template is one `access` field; with disableRequestLogging switchyard writes the line itself', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { lines, stream } = logCapture();
    const { url } = await startApp(
      t,
      { upstreams: { app: [backend!.url] }, locations: { '/': 'app' }, accessLog: '$request_method $uri $status $upstream_addr $upstream_status' },
      undefined,
      { logger: { level: 'info', stream }, disableRequestLogging: true },
    );
    assert.equal((await call(`${url}/a?b=c`)).status, 200);
    await waitFor(() => completed(lines).length === 1);
    assert.equal(completed(lines)[0]?.access, `GET /a 200 ${backend!.url.replace('http://', '')} 200`);
    assert.equal(lines.filter((l) => l.msg === 'incoming request').length, 0);
  });

  it('no live upstream: the upstream name and 502, as nginx logs it', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { lines, stream } = logCapture();
    const { app, url } = await startApp(
      t,
      { upstreams: { app: [backend!.url] }, locations: { '/': 'app' }, accessLog: { format: '$status $upstream_addr $upstream_status' } },
      undefined,
      { logger: { level: 'info', stream } },
    );
    app.switchyard.setServer('app', backend!.url, { down: true });
    assert.equal((await call(`${url}/`)).status, 502);
    await waitFor(() => completed(lines).length === 1);
    assert.equal(completed(lines)[0]?.access, '502 app 502');
  });

  it('without accessLog the request line carries no upstream field', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { lines, stream } = logCapture();
    const { url } = await startApp(t, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' } }, undefined, { logger: { level: 'info', stream } });
    assert.equal((await call(`${url}/`)).status, 200);
    await waitFor(() => completed(lines).length === 1);
    assert.equal(
      Object.keys(completed(lines)[0] ?? {}).some((k) => k.startsWith('upstream') || k === 'access'),
      false,
    );
  });

  it('a logger without pino setBindings (loggerInstance) still gets the fields on its request completed line', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const calls: Array<{ obj: Record<string, unknown>; msg: unknown }> = [];
    const record =
      () =>
      (obj: unknown, msg?: unknown): void => {
        if (typeof obj === 'object' && obj !== null) calls.push({ obj: obj as Record<string, unknown>, msg });
      };
    const logger = {
      level: 'info',
      info: record(),
      error: record(),
      warn: record(),
      fatal: record(),
      debug: record(),
      trace: record(),
      silent: record(),
      child: () => logger,
    };
    const { url } = await startApp(t, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' }, accessLog: true }, undefined, {
      loggerInstance: logger,
    });
    assert.equal((await call(`${url}/`)).status, 200);
    await waitFor(() => calls.some((c) => c.msg === 'request completed'));
    const line = calls.find((c) => c.msg === 'request completed');
    assert.equal(line?.obj.upstream_addr, backend!.url.replace('http://', ''));
    assert.equal(line?.obj.status, 200);
    assert.ok(line?.obj.res !== undefined, "Fastify's own fields are kept");
  });
});
