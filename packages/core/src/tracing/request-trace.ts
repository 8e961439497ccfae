/**
 * @module OpenTelemetry for one proxied request (`tracing: true` with @opentelemetry/api installed):
 * one client span per try, started when the try is sent (its `traceparent` goes upstream), with the
 * try's facts when the response ends; or, where the app's auto-instrumentation of the HTTP client
 * makes the client span, that span with switchyard's attributes; the upstream facts as attributes
 * on the active server span.
 */
import type { TryFacts, RequestFacts } from '../request-facts/facts-types.js';
import { loadOtelApi, type OtelApi, type OtelContext, type OtelSpan } from './otel-api.js';
import { TryContext } from './try-context.js';

const TRACER_NAME = '@switchyard/core';

type Attributes = Record<string, string | number | boolean>;

interface TrySpan {
  readonly span: OtelSpan;
  /** Epoch ms when the try was sent (the span's start). */
  readonly startedAt: number;
  /** Made by the app's HTTP client instrumentation, which ends it: switchyard only adds attributes while it is open. */
  readonly adopted: boolean;
}

/** A try traced `late`: its span is decided when it is sent ({@link RequestTrace.send}). */
interface PendingTry {
  readonly method: string;
  readonly attributes: Attributes;
  readonly startedAt: number;
}

/** Called with the sent request and each propagation header, for a request whose head is not written yet. */
export type SetLateHeader<T> = (sent: T, name: string, value: string) => void;

/** The try being sent right now (sends are synchronous: one at a time in the process). */
interface Sending {
  readonly trace: RequestTrace;
  readonly index: number;
  readonly watcher: TryContext;
}

let sending: Sending | undefined;

/**
 * Called by an adapter from inside a try's send, when its HTTP client has made the request and
 * after the instrumentations had their turn (undici: its `undici:request:create` message, to a
 * subscriber of the adapter's that comes last): an instrumentation's span seen by then is the
 * try's; otherwise switchyard's own starts now and `setHeader` gets its `traceparent`/`tracestate`.
 */
export function traceSendingTry(setHeader: (name: string, value: string) => void): void {
  const s = sending;
  if (s !== undefined) s.trace.decide(s.index, s.watcher, setHeader);
}

export class RequestTrace {
  readonly #api: OtelApi;
  readonly #parent: OtelContext;
  readonly #server: OtelSpan | undefined;
  readonly #spans: Array<TrySpan | undefined> = [];
  readonly #pending: Array<PendingTry | undefined> = [];

  constructor(api: OtelApi) {
    this.#api = api;
    this.#parent = api.context.active();
    this.#server = api.trace.getActiveSpan();
  }

  /**
   * The try `index` of `tries` is being sent: its client span starts, and `traceparent`/`tracestate`
   * are written into `headers`. With `late`, neither yet: the adapter sends the try through
   * {@link send}, where an instrumentation's client span may become the try's span.
   */
  startTry(index: number, method: string, tries: readonly TryFacts[], headers: Record<string, unknown>, late: boolean): void {
    if (this.#spans[index] !== undefined || this.#pending[index] !== undefined) return;
    const t = tries[index] as TryFacts;
    const host = t.addr.startsWith('[') ? t.addr.slice(1, t.addr.lastIndexOf(']')) : t.addr.slice(0, t.addr.lastIndexOf(':'));
    const port = Number(t.addr.slice(t.addr.lastIndexOf(':') + 1));
    const attributes: Attributes = {
      'server.address': t.addr.startsWith('unix:') ? t.addr : host,
      'switchyard.upstream': t.upstream,
      'switchyard.try': index + 1,
    };
    if (!t.addr.startsWith('unix:') && Number.isInteger(port)) attributes['server.port'] = port;
    if (index > 0) attributes['http.request.resend_count'] = index;
    if (t.sticky !== undefined) attributes['switchyard.sticky'] = t.sticky;
    const pending: PendingTry = { method, attributes, startedAt: Date.now() };
    // Now, not at the end: HTTP instrumentations end their server span when the response ends,
    // before switchyard's 'finish' listener runs.
    const server = this.#server;
    if (server !== undefined && server.isRecording()) {
      server.setAttributes({ 'switchyard.upstream': t.upstream, 'switchyard.try_count': index + 1, 'switchyard.upstream_addr': t.addr });
    }
    // The earlier tries moved on: an instrumentation's span still open learns how they ended.
    for (let i = 0; i < index; i++) {
      const s = this.#spans[i];
      if (s !== undefined && s.adopted) this.#outcome(tries[i] as TryFacts, s);
    }
    if (late) {
      this.#pending[index] = pending;
      // The client's own `traceparent` must not reach upstream beside the one the try's span adds
      // (undici's instrumentation appends a header; switchyard's inject below overwrites it).
      for (const field of this.#api.propagation.fields()) delete headers[field];
    } else {
      this.#startOwn(index, pending, headers);
    }
  }

  /**
   * Sends the try `index` (`send` makes the upstream request) in the try's context, a child of the
   * request's. For a try traced `late`: the client span an instrumentation made in there becomes
   * the try's span (it carries that span's `traceparent` already); when none did, switchyard's
   * own span starts and its headers go through `setHeader` (none without one).
   */
  send<T>(index: number, send: () => T, setHeader: SetLateHeader<T> | undefined): T {
    if (this.#pending[index] === undefined) return send();
    const watcher = new TryContext(this.#api, this.#parent);
    const outer = sending;
    sending = { trace: this, index, watcher };
    let sent: { value: T } | undefined;
    try {
      sent = { value: this.#api.context.with(watcher, send) };
    } finally {
      sending = outer;
      // Not decided inside the send (see traceSendingTry): now, with the headers set on what it returned.
      const made = sent;
      this.decide(index, watcher, made === undefined || setHeader === undefined ? undefined : (name, value) => setHeader(made.value, name, value));
      watcher.close();
    }
    return sent.value;
  }

  /** The try's span: the instrumentation's seen in `watcher`, else switchyard's own, whose headers go to `setHeader`. Once per try. */
  decide(index: number, watcher: TryContext, setHeader: ((name: string, value: string) => void) | undefined): void {
    const pending = this.#pending[index];
    if (pending === undefined) return;
    this.#pending[index] = undefined;
    const span = watcher.span;
    if (span !== undefined) {
      span.setAttributes(pending.attributes);
      this.#spans[index] = { span, startedAt: pending.startedAt, adopted: true };
      return;
    }
    const headers: Record<string, unknown> = {};
    this.#startOwn(index, pending, headers);
    if (setHeader !== undefined) for (const name in headers) setHeader(name, String(headers[name]));
  }

  #startOwn(index: number, pending: PendingTry, headers: Record<string, unknown>): void {
    const api = this.#api;
    const attributes: Attributes = { 'http.request.method': pending.method, ...pending.attributes };
    const span = api.trace
      .getTracer(TRACER_NAME)
      .startSpan(pending.method, { kind: api.SpanKind.CLIENT, attributes, startTime: pending.startedAt }, this.#parent);
    this.#spans[index] = { span, startedAt: pending.startedAt, adopted: false };
    api.propagation.inject(api.trace.setSpan(this.#parent, span), headers);
  }

  /** The try's outcome on its span (an instrumentation's span only while it is open: ended spans take nothing). */
  #outcome(t: TryFacts, s: TrySpan): void {
    const span = s.span;
    if (s.adopted && !span.isRecording()) return;
    const api = this.#api;
    if (t.status !== undefined && t.failure === undefined) span.setAttribute('http.response.status_code', t.status);
    if (t.failure !== undefined) {
      span.setAttribute('error.type', t.failure);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: t.failure });
    } else if (t.status !== undefined && t.status >= 500) {
      span.setAttribute('error.type', String(t.status));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
    if (t.retried) span.setAttribute('switchyard.retried', true);
  }

  /** The response ended: each try's span gets its outcome and, if it is switchyard's, its end; the server span the request's facts. */
  finish(facts: RequestFacts): void {
    const tries = facts.tries;
    for (let i = 0; i < tries.length; i++) {
      const t = tries[i] as TryFacts;
      // A late try the adapter never sent: still shown, as switchyard's own.
      const pending = this.#pending[i];
      if (pending !== undefined) {
        this.#pending[i] = undefined;
        this.#startOwn(i, pending, {});
      }
      const s = this.#spans[i];
      if (s === undefined) continue;
      this.#outcome(t, s);
      if (!s.adopted) s.span.end(s.startedAt + (t.totalMs ?? 0));
    }
    const server = this.#server;
    if (server === undefined || !server.isRecording()) return;
    // Still open (an app that ends it later): the final answer too.
    const attributes: Attributes = { 'http.response.status_code': facts.status, 'switchyard.try_count': tries.length };
    if (facts.location !== undefined) attributes['switchyard.location'] = facts.location;
    server.setAttributes(attributes);
  }
}

/** A trace for a request, or undefined when @opentelemetry/api is not installed. */
export function startRequestTrace(): RequestTrace | undefined {
  const api = loadOtelApi();
  return api === undefined ? undefined : new RequestTrace(api);
}
