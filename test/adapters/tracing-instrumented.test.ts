/**
 * @module OpenTelemetry with the app's real auto-instrumentations registered (instrumentation-http for
 * node:http, used by Express upstream requests and by both apps' servers; instrumentation-undici,
 * used by Fastify through reply-from): each try has exactly one client span, the instrumentation's,
 * carrying switchyard's try attributes, and its traceparent is the one the backend receives.
 * Its own file: instrumentation-http patches node:http for the whole process (node --test runs each
 * file in a process of its own).
 */
import { register } from 'node:module';
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Backend } from '../helpers/backends.js';
import type { ProxyUnderTest } from './driver.js';

/** Requests carrying this header are left alone by both instrumentations (their documented ignore hooks). */
const UNTRACED = 'x-test-untraced';
/** The test backends' ports: their servers are not the app's, and get no server span. */
const backendPorts = new Set<number>();

// What an app does before loading anything else (OpenTelemetry's Node.js setup): the ESM hook
// (switchyard's packages import node:http as ES modules), a provider, the instrumentations.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const undici = new UndiciInstrumentation({ ignoreRequestHook: (request) => Array.isArray(request.headers) && request.headers.includes(UNTRACED) });
registerInstrumentations({
  instrumentations: [
    new HttpInstrumentation({
      ignoreOutgoingRequestHook: (options) => (options.headers as Record<string, unknown> | undefined)?.[UNTRACED] !== undefined,
      ignoreIncomingRequestHook: (req) => backendPorts.has(req.socket.localPort ?? 0),
    }),
    undici,
  ],
});

// Loaded only now, so that the instrumentations see their node:http and undici.
let drivers: (typeof import('./drivers/index.js'))['drivers'] = [];
let startBackends: (typeof import('./support/setup.js'))['backendsFor'];
let startProxy: (typeof import('./support/setup.js'))['startProxy'];
let call: (typeof import('./support/http.js'))['call'];
let waitFor: (typeof import('./support/http.js'))['waitFor'];
before(async () => {
  ({ drivers } = await import('./drivers/index.js'));
  ({ backendsFor: startBackends, startProxy } = await import('./support/setup.js'));
  ({ call, waitFor } = await import('./support/http.js'));
});

async function backendsFor(t: TestContext, count: number): Promise<Backend[]> {
  const list = await startBackends(t, count);
  for (const b of list) backendPorts.add(b.port);
  return list;
}

function spansOf(kind: SpanKind): ReadableSpan[] {
  // The SDK's span kind and the API's enum are two declarations of one enum: compared as numbers.
  return exporter.getFinishedSpans().filter((s) => Number(s.kind) === Number(kind));
}

/** The app's server span (the instrumentation's, for the request to the proxy's port), once ended. */
function serverSpanOf(proxy: ProxyUnderTest): ReadableSpan | undefined {
  return spansOf(SpanKind.SERVER).find((s) => s.attributes['server.port'] === proxy.port);
}

/** Every client span of a request to one of these backends, by whoever made it, in start order. */
function trySpans(backends: Backend[]): ReadableSpan[] {
  const ports = new Set<unknown>(backends.map((b) => b.port));
  return spansOf(SpanKind.CLIENT)
    .filter((s) => ports.has(s.attributes['server.port']))
    .sort((a, b) => Number(a.attributes['switchyard.try']) - Number(b.attributes['switchyard.try']));
}

function traceparentOf(span: ReadableSpan | undefined): string {
  return `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`;
}

const SCOPE = { fastify: '@opentelemetry/instrumentation-undici', express: '@opentelemetry/instrumentation-http' } as const;

function fresh(t: TestContext): void {
  exporter.reset();
  t.after(() => exporter.reset());
}

describe('OpenTelemetry with the app auto-instrumentations', { concurrency: false }, () => {
  for (const name of ['fastify', 'express'] as const) {
    it(`${name}: a retried request, one client span per try (the instrumentation's) under the server span, with switchyard's attributes; its traceparent upstream`, async (t) => {
      fresh(t);
      const backends = await backendsFor(t, 2);
      const [down, up] = backends as [Backend, Backend];
      await down.stop();
      const driver = drivers.find((d) => d.name === name)!;
      const proxy = await startProxy(t, driver, { upstreams: { app: [down.url, up.url] }, locations: { '/': 'app' }, tracing: true });
      // The client's own trace context: the app's server span continues it; it must not reach the backend beside the try's.
      const clientTrace = '0af7651916cd43dd8448eb211c80319c';
      assert.equal((await call(`${proxy.url}/hello?x=1`, { headers: { traceparent: `00-${clientTrace}-b7ad6b7169203331-01` } })).status, 200);
      await waitFor(() => serverSpanOf(proxy) !== undefined && trySpans(backends).length >= 2);
      const server = serverSpanOf(proxy) as ReadableSpan;
      const tries = trySpans(backends);
      assert.deepEqual(
        tries.map((s) => [s.instrumentationScope.name, s.attributes['switchyard.try'], s.attributes['server.port']]),
        [
          [SCOPE[driver.name], 1, down.port],
          [SCOPE[driver.name], 2, up.port],
        ],
      );
      assert.equal(exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@switchyard/core').length, 0, 'no span of switchyard own');
      const [first, second] = tries as [ReadableSpan, ReadableSpan];
      assert.equal(server.spanContext().traceId, clientTrace);
      for (const s of tries) {
        assert.equal(s.spanContext().traceId, server.spanContext().traceId);
        assert.equal(s.parentSpanContext?.spanId, server.spanContext().spanId);
        assert.equal(s.attributes['server.address'], '127.0.0.1');
        assert.equal(s.attributes['switchyard.upstream'], 'app');
      }
      assert.equal(first.status.code, SpanStatusCode.ERROR);
      assert.equal(first.attributes['http.request.resend_count'], undefined);
      assert.equal(second.attributes['http.request.resend_count'], 1);
      assert.equal(second.attributes['http.response.status_code'], 200);
      assert.equal(server.attributes['switchyard.try_count'], 2);
      // Exactly one traceparent, the second try's span's (not the client's, not switchyard's, not two).
      assert.equal(up.seen[0]?.headers.traceparent, traceparentOf(second));
    });

    it(`${name}: a status retried (503 in retry.on) is two spans, the first marked retried while still open`, async (t) => {
      fresh(t);
      const backends = await backendsFor(t, 2);
      const [busy, ok] = backends as [Backend, Backend];
      busy.handle((_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('busy');
      });
      const driver = drivers.find((d) => d.name === name)!;
      const proxy = await startProxy(t, driver, {
        upstreams: { app: { servers: [busy.url, ok.url], retry: { on: ['error', 503] } } },
        locations: { '/': 'app' },
        tracing: true,
      });
      assert.equal((await call(`${proxy.url}/x`)).status, 200);
      await waitFor(() => serverSpanOf(proxy) !== undefined && trySpans(backends).length >= 2);
      const tries = trySpans(backends);
      assert.equal(tries.length, 2);
      const [first, second] = tries as [ReadableSpan, ReadableSpan];
      assert.deepEqual(
        tries.map((s) => [s.instrumentationScope.name, s.attributes['switchyard.try'], s.attributes['http.response.status_code']]),
        [
          [SCOPE[name], 1, 503],
          [SCOPE[name], 2, 200],
        ],
      );
      // Told by switchyard at the second try's start, while the instrumentation still had the first open.
      assert.equal(first.attributes['switchyard.retried'], true);
      assert.equal(first.status.code, SpanStatusCode.ERROR);
      assert.equal(second.attributes['switchyard.retried'], undefined);
      assert.equal(busy.seen[0]?.headers.traceparent, traceparentOf(first));
      assert.equal(ok.seen[0]?.headers.traceparent, traceparentOf(second));
    });

    it(`${name}: a request the instrumentation ignores gets switchyard's own span`, async (t) => {
      fresh(t);
      const backends = await backendsFor(t, 1);
      const [backend] = backends as [Backend];
      const driver = drivers.find((d) => d.name === name)!;
      const proxy = await startProxy(t, driver, { upstreams: { app: [backend.url] }, locations: { '/': 'app' }, tracing: true });
      assert.equal((await call(`${proxy.url}/`, { headers: { [UNTRACED]: '1' } })).status, 200);
      await waitFor(() => serverSpanOf(proxy) !== undefined && trySpans(backends).length >= 1);
      const tries = trySpans(backends);
      assert.deepEqual(
        tries.map((s) => s.instrumentationScope.name),
        ['@switchyard/core'],
      );
      assert.equal(tries[0]?.parentSpanContext?.spanId, serverSpanOf(proxy)?.spanContext().spanId);
      assert.equal(tries[0]?.attributes['http.response.status_code'], 200);
      // Added to the request before its head is written (Express: setHeader; Fastify: at undici's request:create).
      assert.equal(backend.seen[0]?.headers.traceparent, traceparentOf(tries[0]));
    });
  }

  it('fastify: an undici instrumentation enabled while the app runs is used from its next request on', async (t) => {
    fresh(t);
    const backends = await backendsFor(t, 1);
    const [backend] = backends as [Backend];
    const driver = drivers.find((d) => d.name === 'fastify')!;
    const proxy = await startProxy(t, driver, { upstreams: { app: [backend.url] }, locations: { '/': 'app' }, tracing: true });
    undici.disable();
    t.after(() => undici.enable());
    assert.equal((await call(`${proxy.url}/before`)).status, 200);
    undici.enable();
    assert.equal((await call(`${proxy.url}/after`)).status, 200);
    await waitFor(() => trySpans(backends).length >= 2 && spansOf(SpanKind.SERVER).length >= 2);
    const tries = trySpans(backends);
    assert.deepEqual(tries.map((s) => s.instrumentationScope.name).sort(), ['@opentelemetry/instrumentation-undici', '@switchyard/core']);
    const own = tries.find((s) => s.instrumentationScope.name === '@switchyard/core');
    const theirs = tries.find((s) => s.instrumentationScope.name !== '@switchyard/core');
    assert.equal(theirs?.attributes['url.path'], '/after');
    assert.deepEqual(
      backend.seen.map((r) => [r.url, r.headers.traceparent]),
      [
        ['/before', traceparentOf(own)],
        ['/after', traceparentOf(theirs)],
      ],
    );
  });
});
