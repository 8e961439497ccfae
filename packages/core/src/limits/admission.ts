/** @module nginx's preaccess and access phases for one request: limit_req (with its delay), limit_conn, then allow/deny and auth_basic under `satisfy`. */
import type { RequestInfo } from '../base-types.js';
import { checkAccess } from './access-rules.js';
import { checkBasicAuth } from './basic-auth.js';
import { limitConnections } from './connection-count.js';
import type { Admission, ResolvedLimits } from './limit-types.js';
import { limitRequest } from './request-rate.js';
import { nginxErrorPage } from './status-pages.js';

/** The clock and timer of the instance (a fake clock in tests). */
export interface AdmissionClock {
  now(): number;
  /** Schedules `fn` after `ms`; returns its cancel. */
  setTimer(fn: () => void, ms: number): () => void;
}

const NOTHING = (): void => {};
const ADMITTED: Admission = Object.freeze({ allowed: true, release: NOTHING });

/** A refusal with nginx's page for `status` (plus `headers`). */
export function refusal(status: number, headers: Readonly<Record<string, string>> = {}): Admission {
  const body = nginxErrorPage(status);
  return Object.freeze({
    allowed: false,
    status,
    headers: Object.freeze({ 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)), ...headers }),
    body,
  });
}

/**
 * Run the phases for a request matched to a location with `limits`. A request within its zones'
 * burst but over the rate (without `nodelay`) waits on a timer first: the result is then a
 * promise, which resolves `undefined` if `signal` aborts meanwhile (the client went away; nothing
 * is held). A request let through holds its limit_conn slots until `release()` is called (once
 * its response ended or the client aborted).
 */
export function admit(limits: ResolvedLimits, request: RequestInfo, clock: AdmissionClock, signal?: AbortSignal): Admission | Promise<Admission | undefined> {
  if (limits.requests.length > 0) {
    const verdict = limitRequest(limits.requests, request, Math.floor(clock.now()));
    if (verdict.kind === 'reject' && !limits.requestDryRun) return refusal(limits.requestStatus);
    if (verdict.kind === 'delay' && !limits.requestDryRun) return delayed(verdict.ms, limits, request, clock, signal);
  }
  return afterDelay(limits, request);
}

function delayed(
  ms: number,
  limits: ResolvedLimits,
  request: RequestInfo,
  clock: AdmissionClock,
  signal: AbortSignal | undefined,
): Promise<Admission | undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(undefined);
      return;
    }
    const onAbort = (): void => {
      cancel();
      resolve(undefined);
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      Promise.resolve(afterDelay(limits, request)).then(resolve, () => resolve(refusal(500)));
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** limit_conn, then the access phase; the slots taken are given back when the access phase refuses. */
function afterDelay(limits: ResolvedLimits, request: RequestInfo): Admission | Promise<Admission> {
  let release = NOTHING;
  if (limits.connections.length > 0) {
    const verdict = limitConnections(limits.connections, request);
    if (verdict.kind === 'pass') release = verdict.release;
    else if (!limits.connectionDryRun) return refusal(limits.connectionStatus);
  }
  const granted: Admission = release === NOTHING ? ADMITTED : Object.freeze({ allowed: true, release });
  const finish = (decided: true | Admission): Admission => {
    if (decided === true) return granted;
    release();
    return decided;
  };
  const decided = accessPhase(limits, request);
  if (!(decided instanceof Promise)) return finish(decided);
  return decided.then(finish, (err: unknown) => {
    release();
    throw err;
  });
}

/**
 * ngx_http_access_module then ngx_http_auth_basic_module under `satisfy` (ngx_http_core_access_phase):
 * with `all` a deny is 403 before the password is looked at, then a missing or wrong password 401;
 * with `any` an allow rule or a right password lets the request in, and a 401 wins over a 403.
 */
function accessPhase(limits: ResolvedLimits, request: RequestInfo): true | Admission | Promise<true | Admission> {
  const rules = checkAccess(limits.access, request.clientIp);
  const auth = limits.basicAuth;
  if (limits.satisfy === 'all') {
    if (rules === 'deny') return refusal(403);
    if (auth === undefined) return true;
    return outcome(checkBasicAuth(auth.users, headerValue(request.headers.authorization)), (ok) => (ok ? true : unauthorized(auth.realm)));
  }
  if (rules === 'allow') return true;
  if (auth === undefined) return rules === 'deny' ? refusal(403) : true;
  return outcome(checkBasicAuth(auth.users, headerValue(request.headers.authorization)), (ok) => (ok ? true : unauthorized(auth.realm)));
}

function outcome<T>(value: boolean | Promise<boolean>, then: (ok: boolean) => T): T | Promise<T> {
  return typeof value === 'boolean' ? then(value) : value.then(then);
}

function unauthorized(realm: string): Admission {
  return refusal(401, { 'www-authenticate': `Basic realm="${realm}"` });
}

function headerValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
