/** @module OpenTelemetry on both adapters with the real SDK's in-memory exporter: a retried request shows both tries as client spans under the server span, traceparent goes upstream, the server span gets the upstream facts. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { context, propagation, trace, SpanKind, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import express from 'express';
import switchyard from '@switchyard/fastify';
import { switchyard as expressSwitchyard } from '@switchyard/express';
import type { SwitchyardOptions } from '@switchyard/core';
import { backendsFor } from './support/setup.js';
import { call, waitFor } from './support/http.js';

function otel(t: TestContext): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  t.after(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
    await provider.shutdown();
  });
  return exporter;
}

/** What a user's HTTP instrumentation does: a server span, active while the request is handled. */
function serverSpan(): Span {
  return trace.getTracer('test-app').startSpan('GET /', { kind: SpanKind.SERVER });
}

type Start = (t: TestContext, options: SwitchyardOptions) => Promise<string>;

const adapters: Array<[string, Start]> = [
  [
    'fastify',
    async (t, options) => {
      const app = Fastify();
      t.after(() => app.close());
      app.addHook('onRequest', (request, _reply, done) => {
        const span = serverSpan();
        (request as { span?: Span }).span = span;
        context.with(trace.setSpan(context.active(), span), done);
      });
      app.addHook('onResponse', (request, _reply, done) => {
        (request as { span?: Span }).span?.end();
        done();
      });
      await app.register(switchyard, options);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
  ],
  [
    'express',
    async (t, options) => {
      const lb = expressSwitchyard(options, { logger: false });
      const app = express();
      app.use((_req, res, next) => {
        const span = serverSpan();
        res.on('finish', () => span.end());
        context.with(trace.setSpan(context.active(), span), next);
      });
      app.use(lb);
      const server: Server = app.listen(0, '127.0.0.1');
      t.after(async () => {
        await lb.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      });
      await new Promise((r) => server.once('listening', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  ],
];

for (const [name, start] of adapters) {
  describe(`${name}: OpenTelemetry`, () => {
    it('a retried request: two client spans under the server span, traceparent of the second try upstream', async (t) => {
      const exporter = otel(t);
      const backends = await backendsFor(t, 2);
      const [down, up] = backends as [(typeof backends)[0], (typeof backends)[0]];
      await down.stop();
      const url = await start(t, { upstreams: { app: [down.url, up.url] }, locations: { '/': 'app' }, tracing: true });
      assert.equal((await call(`${url}/hello`)).status, 200);
      await waitFor(() => exporter.getFinishedSpans().length === 3);
      const spans = exporter.getFinishedSpans();
      // The SDK's span kind and the API's enum are two declarations of one enum: compared as numbers.
      const server = spans.find((s) => Number(s.kind) === Number(SpanKind.SERVER));
      const clients = spans.filter((s) => Number(s.kind) === Number(SpanKind.CLIENT));
      assert.ok(server);
      assert.equal(clients.length, 2);
      for (const c of clients) {
        assert.equal(c.spanContext().traceId, server.spanContext().traceId);
        assert.equal(c.parentSpanContext?.spanId, server.spanContext().spanId);
        assert.equal(c.attributes['server.address'], '127.0.0.1');
        assert.equal(c.attributes['switchyard.upstream'], 'app');
      }
      const [first, second] = [...clients].sort((a, b) => Number(a.attributes['switchyard.try']) - Number(b.attributes['switchyard.try']));
      assert.equal(first?.attributes['server.port'], down.port);
      assert.equal(first?.attributes['error.type'], 'error');
      assert.equal(first?.attributes['switchyard.retried'], true);
      assert.equal(second?.attributes['server.port'], up.port);
      assert.equal(second?.attributes['http.response.status_code'], 200);
      assert.equal(second?.attributes['http.request.resend_count'], 1);
      // Set when each try starts: the app's instrumentation may end its span before the response's 'finish'.
      assert.equal(server.attributes['switchyard.try_count'], 2);
      assert.equal(server.attributes['switchyard.upstream_addr'], up.url.replace('http://', ''));
      assert.equal(server.attributes['switchyard.upstream'], 'app');
      // The backend saw the second try's span as its parent.
      const traceparent = up.seen[0]?.headers.traceparent;
      assert.equal(traceparent, `00-${second?.spanContext().traceId}-${second?.spanContext().spanId}-01`);
    });

    it('without tracing: true no span is made and no traceparent is sent', async (t) => {
      const exporter = otel(t);
      const [backend] = await backendsFor(t, 1);
      const url = await start(t, { upstreams: { app: [backend!.url] }, locations: { '/': 'app' } });
      assert.equal((await call(`${url}/`)).status, 200);
      await waitFor(() => exporter.getFinishedSpans().length === 1);
      assert.deepEqual(
        exporter.getFinishedSpans().map((s) => s.kind),
        [SpanKind.SERVER],
      );
      assert.equal(backend!.seen[0]?.headers.traceparent, undefined);
    });
  });
}
