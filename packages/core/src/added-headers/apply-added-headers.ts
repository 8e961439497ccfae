/** @module nginx's headers filter for one answer: `expires` then the `add_header` list, for the statuses nginx adds them to (or every status with `always`). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../base-types.js';
import type { VariableSource } from '../http/header-variables.js';
import type { ResponseHeaderPlan } from './added-header-types.js';

/** The statuses nginx's headers filter works on (ngx_http_headers_filter's `safe_status`). */
const SAFE_STATUSES: ReadonlySet<number> = new Set([200, 201, 204, 206, 301, 302, 303, 304, 307, 308]);

/** What node:http refuses in a value: a variable expanding to one (a decoded `$uri` with `%0A`) is not added. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Headers nginx keeps one of: `add_header` replaces the answer's own (an empty value removes it). */
const REPLACED = new Set(['etag', 'last-modified']);

const EPOCH_DATE = 'Thu, 01 Jan 1970 00:00:01 GMT';
const MAX_DATE = 'Thu, 31 Dec 2037 23:55:55 GMT';

/** Where the headers go: a node:http ServerResponse fits, so does a header record (`recordTarget`). */
export interface HeaderTarget {
  getHeader(name: string): number | string | readonly string[] | undefined;
  setHeader(name: string, value: string | readonly string[]): unknown;
  removeHeader(name: string): unknown;
}

export interface ApplyOptions {
  /** The clock, ms (default `Date.now()`). */
  readonly nowMs?: number;
  /** The answer is a file: `expires modified` counts from its Last-Modified (else from now, as nginx does for proxied answers). */
  readonly file?: boolean;
}

/**
 * Add the plan's headers to an answer of `status` (nginx order: `expires` sets Expires and one
 * Cache-Control, replacing the answer's, then each `add_header` is appended, `ETag` and
 * `Last-Modified` replaced). `request` gives the variables of the values.
 */
export function applyAddedHeaders(plan: ResponseHeaderPlan, status: number, target: HeaderTarget, request: RequestInfo, options: ApplyOptions = {}): void {
  const safe = SAFE_STATUSES.has(status);
  if (plan.expires !== undefined && safe) setExpires(plan, target, options);
  let source: VariableSource | undefined;
  for (const h of plan.add) {
    if (!safe && !h.always) continue;
    const value = typeof h.value === 'string' ? h.value : h.value((source ??= variableSource(request)));
    if (BAD_VALUE.test(value)) continue;
    if (REPLACED.has(h.name)) {
      if (value === '') target.removeHeader(h.name);
      else target.setHeader(h.name, value);
      continue;
    }
    if (value === '') continue;
    const prior = target.getHeader(h.name);
    if (prior === undefined) target.setHeader(h.name, value);
    else target.setHeader(h.name, [...(Array.isArray(prior) ? (prior as readonly string[]) : [String(prior)]), value]);
  }
}

function setExpires(plan: ResponseHeaderPlan, target: HeaderTarget, options: ApplyOptions): void {
  const e = plan.expires!;
  if (e.kind === 'epoch') return setPair(target, EPOCH_DATE, 'no-cache');
  if (e.kind === 'max') return setPair(target, MAX_DATE, 'max-age=315360000');
  const nowMs = options.nowMs ?? Date.now();
  const now = Math.floor(nowMs / 1000);
  if (e.seconds === 0) return setPair(target, new Date(now * 1000).toUTCString(), 'max-age=0');
  let expiresAt: number;
  let maxAge: number;
  const modified = e.kind === 'modified' && options.file === true ? lastModified(target) : undefined;
  if (modified === undefined) {
    expiresAt = now + e.seconds;
    maxAge = e.seconds;
  } else {
    expiresAt = modified + e.seconds;
    maxAge = expiresAt - now;
  }
  setPair(target, new Date(expiresAt * 1000).toUTCString(), e.seconds < 0 || maxAge < 0 ? 'no-cache' : `max-age=${maxAge}`);
}

function setPair(target: HeaderTarget, expires: string, cacheControl: string): void {
  target.setHeader('expires', expires);
  target.setHeader('cache-control', cacheControl);
}

function lastModified(target: HeaderTarget): number | undefined {
  const v = target.getHeader('last-modified');
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function variableSource(request: RequestInfo): VariableSource {
  return {
    incoming: request.headers,
    peerIp: request.clientIp,
    encrypted: false,
    upstream: '',
    serverProtocol: '',
    method: request.method,
    requestUri: request.url,
  };
}

/** A header record as a `HeaderTarget` (names matched in any case; set names lower-case). */
export function recordTarget(headers: Record<string, unknown>): HeaderTarget {
  const keyOf = (name: string): string | undefined => (Object.hasOwn(headers, name) ? name : Object.keys(headers).find((k) => k.toLowerCase() === name));
  return {
    getHeader(name) {
      const k = keyOf(name);
      return k === undefined ? undefined : (headers[k] as number | string | readonly string[] | undefined);
    },
    setHeader(name, value) {
      const k = keyOf(name);
      if (k !== undefined && k !== name) delete headers[k];
      headers[name] = value;
    },
    removeHeader(name) {
      const k = keyOf(name);
      if (k !== undefined) delete headers[k];
    },
  };
}

/**
 * Apply `plan` when `res`'s head is written, with the status it is written with: for answers a
 * library writes (a file's 200, 206 or 304, a 416) and switchyard's own (a return, a redirect).
 * A headers object given to `writeHead` is moved onto `res` first, so the plan sees it.
 */
export function addHeadersOnWrite(req: IncomingMessage, res: ServerResponse, plan: ResponseHeaderPlan, options: { file?: boolean } = {}): void {
  // Read now: an app or serve-static may change req.url before the head is written.
  const request: RequestInfo = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, clientIp: req.socket.remoteAddress ?? '' };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back on `res` and called with `this` below
  const original = res.writeHead;
  const wrapped = function writeHead(this: ServerResponse, status: number, ...rest: unknown[]): ServerResponse {
    res.writeHead = original;
    const last = rest[rest.length - 1];
    if (typeof last === 'object' && last !== null && !Array.isArray(last)) {
      rest.pop();
      for (const [name, value] of Object.entries(last as Record<string, unknown>)) {
        if (value !== undefined) res.setHeader(name, value as string | number | readonly string[]);
      }
    }
    if (!Array.isArray(last)) {
      try {
        applyAddedHeaders(plan, status, res, request, options);
      } catch {
        // A header Node refuses at run time (never from a validated plan): the answer goes out without it.
      }
    }
    return (original as (this: ServerResponse, ...a: unknown[]) => ServerResponse).call(this, status, ...rest);
  };
  res.writeHead = wrapped;
}
