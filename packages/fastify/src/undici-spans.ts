/** @module Whether an instrumentation of undici (the app's OpenTelemetry auto-instrumentation) may make the client span of a try. */
import { hasSubscribers } from 'node:diagnostics_channel';

/**
 * undici publishes every request it creates on its public diagnostics channel
 * `undici:request:create`; `@opentelemetry/instrumentation-undici` (and APM agents) subscribe there
 * to start the client span and add `traceparent` to the request. With a subscriber, a try's span is
 * decided when the try is sent (that span, seen in the try's context, becomes the try's), since
 * switchyard cannot add a header of its own to an undici request once it is made.
 */
export function undiciMayTrace(): boolean {
  return hasSubscribers('undici:request:create');
}
