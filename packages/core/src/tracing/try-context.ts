/**
 * @module The OpenTelemetry context a try is sent in: it notices the client span that the app's
 * auto-instrumentation of the HTTP client (instrumentation-undici, instrumentation-http) makes for
 * the upstream request, so that this span becomes the try's span instead of a second one.
 */
import type { OtelApi, OtelContext, OtelSpan } from './otel-api.js';

/**
 * A `Context` (the public interface of `@opentelemetry/api`: three methods) that wraps the
 * request's context and remembers the first span set into it while the try is being sent. Every
 * HTTP client instrumentation propagates the same way: it starts its client span as a child of the
 * active context, then puts it into that context (`trace.setSpan(context.active(), span)`) to
 * inject `traceparent`. With this context active, that `setValue` call reaches us, synchronously,
 * before the request is written. What it returns is the ordinary context, not another watcher:
 * only the span set directly into the try's context counts.
 */
export class TryContext implements OtelContext {
  readonly #api: OtelApi;
  readonly #parent: OtelContext;
  readonly #parentSpan: OtelSpan | undefined;
  #watching = true;
  /** The client span an instrumentation made for the try, once seen. */
  span: OtelSpan | undefined = undefined;

  constructor(api: OtelApi, parent: OtelContext) {
    this.#api = api;
    this.#parent = parent;
    this.#parentSpan = api.trace.getSpan(parent);
  }

  getValue(key: symbol): unknown {
    return this.#parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): OtelContext {
    const next = this.#parent.setValue(key, value);
    // Callbacks the instrumentation bound to this context run later: only the synchronous send counts.
    if (this.#watching && this.span === undefined && value !== this.#parentSpan && isSpan(value) && this.#api.trace.getSpan(next) === value) {
      this.span = value;
    }
    return next;
  }

  deleteValue(key: symbol): OtelContext {
    return this.#parent.deleteValue(key);
  }

  /** The try was handed to the HTTP client: spans set from now on are not the try's. */
  close(): void {
    this.#watching = false;
  }
}

function isSpan(value: unknown): value is OtelSpan {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<OtelSpan>).spanContext === 'function' &&
    typeof (value as Partial<OtelSpan>).setAttributes === 'function' &&
    typeof (value as Partial<OtelSpan>).isRecording === 'function'
  );
}
