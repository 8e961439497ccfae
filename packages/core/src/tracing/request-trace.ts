/**
 * @module OpenTelemetry for one proxied request (`tracing: true` with @opentelemetry/api installed):
 * a client span per try, started when the try is sent (its `traceparent` goes upstream), ended with
 * the try's facts when the response ends; the upstream facts as attributes on the active server span.
 */
import type { TryFacts, RequestFacts } from '../request-facts/facts-types.js';
import { loadOtelApi, type OtelApi, type OtelContext, type OtelSpan } from './otel-api.js';

const TRACER_NAME = '@switchyard/core';

interface TrySpan {
  readonly span: OtelSpan;
  /** Epoch ms when the try was sent (the span's start). */
  readonly startedAt: number;
}

export class RequestTrace {
  readonly #api: OtelApi;
  readonly #parent: OtelContext;
  readonly #server: OtelSpan | undefined;
  readonly #spans: TrySpan[] = [];

  constructor(api: OtelApi) {
    this.#api = api;
    this.#parent = api.context.active();
    this.#server = api.trace.getActiveSpan();
  }

  /** The try `index` is being sent: its client span starts, and `traceparent`/`tracestate` are written into `headers`. */
  startTry(index: number, method: string, t: TryFacts, headers: Record<string, unknown>): void {
    if (this.#spans[index] !== undefined) return;
    const api = this.#api;
    const host = t.addr.startsWith('[') ? t.addr.slice(1, t.addr.lastIndexOf(']')) : t.addr.slice(0, t.addr.lastIndexOf(':'));
    const port = Number(t.addr.slice(t.addr.lastIndexOf(':') + 1));
    const attributes: Record<string, string | number | boolean> = {
      'http.request.method': method,
      'server.address': t.addr.startsWith('unix:') ? t.addr : host,
      'switchyard.upstream': t.upstream,
      'switchyard.try': index + 1,
    };
    if (!t.addr.startsWith('unix:') && Number.isInteger(port)) attributes['server.port'] = port;
    if (index > 0) attributes['http.request.resend_count'] = index;
    const startedAt = Date.now();
    const span = api.trace.getTracer(TRACER_NAME).startSpan(method, { kind: api.SpanKind.CLIENT, attributes, startTime: startedAt }, this.#parent);
    this.#spans[index] = { span, startedAt };
    api.propagation.inject(api.trace.setSpan(this.#parent, span), headers);
    // Now, not at the end: HTTP instrumentations end their server span when the response ends,
    // before switchyard's 'finish' listener runs.
    const server = this.#server;
    if (server !== undefined && server.isRecording()) {
      server.setAttributes({ 'switchyard.upstream': t.upstream, 'switchyard.try_count': index + 1, 'switchyard.upstream_addr': t.addr });
    }
  }

  /** The response ended: each try's span gets its outcome and its end; the server span the request's facts. */
  finish(facts: RequestFacts): void {
    const api = this.#api;
    const tries = facts.tries;
    for (let i = 0; i < tries.length; i++) {
      const t = tries[i] as TryFacts;
      const s = this.#spans[i];
      if (s === undefined) continue;
      const span = s.span;
      if (t.status !== undefined && t.failure === undefined) span.setAttribute('http.response.status_code', t.status);
      if (t.failure !== undefined) {
        span.setAttribute('error.type', t.failure);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: t.failure });
      } else if (t.status !== undefined && t.status >= 500) {
        span.setAttribute('error.type', String(t.status));
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      if (t.retried) span.setAttribute('switchyard.retried', true);
      if (t.sticky !== undefined) span.setAttribute('switchyard.sticky', t.sticky);
      span.end(s.startedAt + (t.totalMs ?? 0));
    }
    const server = this.#server;
    if (server === undefined || !server.isRecording()) return;
    // Still open (an app that ends it later): the final answer too.
    const attributes: Record<string, string | number | boolean> = { 'http.response.status_code': facts.status, 'switchyard.try_count': tries.length };
    if (facts.location !== undefined) attributes['switchyard.location'] = facts.location;
    server.setAttributes(attributes);
  }
}

/** A trace for a request, or undefined when @opentelemetry/api is not installed. */
export function startRequestTrace(): RequestTrace | undefined {
  const api = loadOtelApi();
  return api === undefined ? undefined : new RequestTrace(api);
}
