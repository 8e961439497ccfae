/** @module Response-side hooks: `rewriteResponseHeaders` (hop-by-hop still stripped after it) and the error answers of `onError` / `interceptErrors`. */
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestInfo } from '../types.js';
import { HOP_BY_HOP_HEADERS, connectionTokens } from '../http/hop-by-hop.js';
import { gatewayErrorBody } from '../http/transport-errors.js';
import type { ErrorReason, HookHeaders, ResolvedHooks } from './hook-types.js';
import { HookResultError } from './request-hook.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node's http refuses in a header value. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Run `rewriteResponseHeaders` (which must be set) on the filtered upstream response headers and
 * return what to send: names lower-cased, hop-by-hop headers (and those the hook's own Connection
 * names) removed again, `Upgrade`/`Connection` kept for a WebSocket 101. Throws when the hook
 * throws or leaves a value Node could not write; the adapter answers 500 instead.
 */
export function runResponseHook(
  hooks: ResolvedHooks,
  headers: OutgoingHttpHeaders,
  request: RequestInfo,
  status: number,
  websocket = false,
): OutgoingHttpHeaders {
  const given = headers as HookHeaders;
  const length = headers['content-length'];
  (hooks.rewriteResponseHeaders as NonNullable<ResolvedHooks['rewriteResponseHeaders']>)(given, { request, status });
  // The body streams as the upstream sent it: its length is not the hook's to change.
  for (const name of Object.keys(given)) if (name.toLowerCase() === 'content-length') delete given[name];
  if (length !== undefined) given['content-length'] = length as string;
  const out: OutgoingHttpHeaders = {};
  const named = connectionTokens(given.connection ?? given.Connection);
  for (const rawName of Object.keys(given)) {
    const value = given[rawName] as unknown;
    if (value === undefined || value === null) continue;
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(name) && !(websocket && (name === 'upgrade' || name === 'connection'))) continue;
    if (named !== undefined && named.has(name)) continue;
    if (!TOKEN.test(name)) throw new HookResultError(`rewriteResponseHeaders set an invalid header name ${JSON.stringify(rawName)}`);
    out[name] = checkValue(value, name);
  }
  return out;
}

function checkValue(value: unknown, name: string): string | string[] | number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && !BAD_VALUE.test(value)) return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && !BAD_VALUE.test(v))) return value as string[];
  throw new HookResultError(`rewriteResponseHeaders left header ${name} with a value that cannot be sent`);
}

/** An error answer ready to write: Content-Type and Content-Length always set. */
export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

/**
 * The hook reason of one of switchyard's own error statuses. `reason` 'no live upstream' is also the
 * core's answer to a request that moved on and found no server left (as the WebSocket path maps it).
 */
export function errorReasonFor(status: number, reason?: string): ErrorReason {
  if (reason === 'no live upstream') return 'no-live-upstream';
  return status === 504 ? 'timeout' : 'error';
}

/** switchyard's plain-text error line (what is answered without an `onError` hook). */
export function plainGatewayAnswer(status: number, reason: string): GatewayAnswer {
  const body = gatewayErrorBody(status, reason);
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, body };
}

/**
 * The answer of `onError` for this error, or `undefined` (no hook, the hook returned `undefined`,
 * threw, or returned something unusable; `report` hears about the last two).
 */
export function hookErrorAnswer(
  hooks: ResolvedHooks | undefined,
  kind: ErrorReason,
  status: number,
  request: RequestInfo,
  report?: (err: unknown) => void,
): GatewayAnswer | undefined {
  const onError = hooks?.onError;
  if (onError === undefined) return undefined;
  try {
    const answer = onError({ reason: kind, status, request });
    if (answer === undefined || answer === null) return undefined;
    return checkAnswer(answer, status);
  } catch (err) {
    report?.(err);
    return undefined;
  }
}

/** `onError`'s answer, or switchyard's plain line: what the adapters write for their own 502/504. */
export function gatewayAnswer(
  hooks: ResolvedHooks | undefined,
  status: number,
  reason: string,
  request: RequestInfo,
  kind: ErrorReason = errorReasonFor(status, reason),
  report?: (err: unknown) => void,
): GatewayAnswer {
  return hookErrorAnswer(hooks, kind, status, request, report) ?? plainGatewayAnswer(status, reason);
}

/** The framing headers are switchyard's: it sends the whole body with its own Content-Length. */
const ANSWER_DROPPED = new Set([...HOP_BY_HOP_HEADERS, 'content-length']);

function checkAnswer(answer: unknown, fallbackStatus: number): GatewayAnswer {
  if (typeof answer !== 'object' || answer === null) throw new HookResultError('onError must return { status?, headers?, body } or undefined');
  const { status = fallbackStatus, headers = {}, body } = answer as { status?: unknown; headers?: unknown; body?: unknown };
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    throw new HookResultError(`onError returned status ${String(status)}: it must be an integer 200-599`);
  }
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) throw new HookResultError('onError must return a body (string or Buffer)');
  if (typeof headers !== 'object' || headers === null) throw new HookResultError('onError returned headers that are not an object');
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers as Record<string, unknown>)) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name) || typeof value !== 'string' || BAD_VALUE.test(value)) {
      throw new HookResultError(`onError returned an invalid header ${JSON.stringify(rawName)}`);
    }
    if (!ANSWER_DROPPED.has(name)) out[name] = value;
  }
  out['content-type'] ??= 'text/plain; charset=utf-8';
  out['content-length'] = String(Buffer.byteLength(body));
  return { status, headers: out, body };
}

/** Whether an upstream answer with this status is to be replaced (`interceptErrors`). */
export function intercepts(hooks: ResolvedHooks | undefined, status: number): boolean {
  return hooks !== undefined && hooks.interceptErrors.has(status);
}

/** The answer when `rewriteRequest` or `rewriteResponseHeaders` failed: nothing internal in it (the error goes to the log). */
export function hookFailureAnswer(): GatewayAnswer {
  const body = '500 Internal Server Error: proxy hook failed\n';
  return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, body };
}

/** What an adapter does with an upstream response about to be delivered, when its location has hooks. */
export type ResponsePlan =
  /** Send the upstream response with these headers. */
  | { readonly answer?: undefined; readonly headers: OutgoingHttpHeaders }
  /** Discard the upstream response (its try ends with its status) and send this instead. */
  | { readonly answer: GatewayAnswer; readonly headers?: undefined };

/**
 * `interceptErrors` first (an intercepted answer never reaches the header hook), then
 * `rewriteResponseHeaders`; a failing header hook turns into a 500 (`report` hears why).
 */
export function planResponse(
  hooks: ResolvedHooks,
  status: number,
  headers: OutgoingHttpHeaders,
  request: RequestInfo,
  report?: (err: unknown) => void,
): ResponsePlan {
  if (hooks.interceptErrors.has(status)) {
    const answer = hookErrorAnswer(hooks, 'intercepted', status, request, report);
    if (answer !== undefined) return { answer };
  }
  if (hooks.rewriteResponseHeaders === undefined) return { headers };
  try {
    return { headers: runResponseHook(hooks, headers, request, status) };
  } catch (err) {
    report?.(err);
    return { answer: hookFailureAnswer() };
  }
}
