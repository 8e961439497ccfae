/** @module The optional peer @opentelemetry/api, loaded synchronously at first use (core has no dependency on it), and the few of its shapes switchyard uses. */
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** An OpenTelemetry context: an immutable map (`@opentelemetry/api`'s public `Context` interface). */
export interface OtelContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): OtelContext;
  deleteValue(key: symbol): OtelContext;
}

export interface OtelSpan {
  spanContext(): { traceId: string; spanId: string };
  setAttribute(key: string, value: string | number | boolean): unknown;
  setAttributes(attributes: Record<string, string | number | boolean>): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
  isRecording(): boolean;
}

interface OtelTracer {
  startSpan(name: string, options: { kind: number; attributes: Record<string, string | number | boolean>; startTime?: number }, ctx: OtelContext): OtelSpan;
}

/** The parts of `@opentelemetry/api` switchyard calls. */
export interface OtelApi {
  readonly trace: {
    getActiveSpan(): OtelSpan | undefined;
    getSpan(ctx: OtelContext): OtelSpan | undefined;
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(ctx: OtelContext, span: OtelSpan): OtelContext;
  };
  readonly context: { active(): OtelContext; with<T>(ctx: OtelContext, fn: () => T): T };
  readonly propagation: { inject(ctx: OtelContext, carrier: Record<string, unknown>): void; fields(): string[] };
  readonly SpanKind: { readonly CLIENT: number };
  readonly SpanStatusCode: { readonly ERROR: number };
}

function asApi(mod: unknown): OtelApi | undefined {
  for (const c of [mod, (mod as { default?: unknown } | null)?.default]) {
    if (c !== null && typeof c === 'object' && typeof (c as { trace?: { getTracer?: unknown } }).trace?.getTracer === 'function') return c as OtelApi;
  }
  return undefined;
}

let loaded: OtelApi | null | undefined;

/**
 * `@opentelemetry/api`, or undefined when it is not installed. Synchronous (it is needed on the
 * request path of the first request): resolved from the application's directory, where a strict
 * layout (pnpm) links it, then from core's own place.
 */
export function loadOtelApi(): OtelApi | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  // A variable specifier keeps bundlers from inlining the optional dependency.
  const specifier = '@opentelemetry/api';
  const bases = [join(process.cwd(), 'package.json')];
  if (typeof __filename === 'string') bases.push(__filename);
  loaded = null;
  for (const base of bases) {
    try {
      const found = asApi(createRequire(base)(specifier));
      if (found !== undefined) {
        loaded = found;
        break;
      }
    } catch {
      // not there: the next place
    }
  }
  return loaded ?? undefined;
}
