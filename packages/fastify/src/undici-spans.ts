/** @module A traced try sent through undici: the app's undici instrumentation's client span is the try's, or switchyard's own is added to the request undici makes. */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { sendTry, traceSendingTry, type Attempt } from '@switchyard/core';

/**
 * undici publishes every request it makes on this public diagnostics channel, where
 * `@opentelemetry/instrumentation-undici` (and APM agents) start the client span and add
 * `traceparent` with `request.addHeader`. That is also the last moment a header can be added:
 * with a free keep-alive connection, undici writes the head before `dispatch` returns.
 */
const REQUEST_CREATE = 'undici:request:create';

interface CreatedRequest {
  addHeader?(name: string, value: string): unknown;
}

function onRequestCreate(message: unknown): void {
  const request = (message as { request?: CreatedRequest } | null)?.request;
  if (typeof request?.addHeader === 'function') traceSendingTry((name, value) => void request.addHeader?.(name, value));
}

/**
 * Sends a try that records facts (`send` calls reply-from, which makes the undici request
 * synchronously). With tracing, switchyard subscribes for the length of the send, after every
 * subscriber already there: when its turn comes, an instrumentation's span for the request was
 * seen (it becomes the try's span) or switchyard's own starts and its headers are added.
 */
export function sendThroughUndici(attempt: Attempt, send: () => void): void {
  subscribe(REQUEST_CREATE, onRequestCreate);
  try {
    sendTry(attempt, send);
  } finally {
    unsubscribe(REQUEST_CREATE, onRequestCreate);
  }
}
