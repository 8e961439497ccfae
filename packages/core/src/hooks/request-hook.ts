/** @module Runs `rewriteRequest` once per request and turns what it did into a rewrite that every try (and a WebSocket handshake) applies. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ProxyRoute, RequestInfo, ServerInfo } from '../types.js';
import { buildUpstreamHeaders, requestHeaderPlan, type UpstreamHeaderContext } from '../http/upstream-headers.js';
import type { HookHeaders, RequestHookContext, ResolvedHooks } from './hook-types.js';

/** What `rewriteRequest` changed: applied to the headers of each try, so a retry never runs the hook again. */
export interface RequestRewrite {
  /** Path + query to send (the route's own when the hook left it). */
  readonly path: string;
  /** Headers the hook set or changed (lower-case names). */
  readonly set: Readonly<Record<string, string | string[]>>;
  /** Headers the hook removed. */
  readonly remove: readonly string[];
}

/** The input of `runRequestHook`: what the adapter would pass to `buildUpstreamHeaders`, without a server yet. */
export interface RequestHookInput {
  readonly incoming: IncomingHttpHeaders;
  readonly headerContext: Omit<UpstreamHeaderContext, 'server'>;
  readonly route: ProxyRoute;
  readonly request: RequestInfo;
  /** The framework's own request object, handed to the hook as `ctx.req`. */
  readonly req: unknown;
}

/**
 * Framing and connection headers stay switchyard's: the transports set them per connection and a
 * wrong value would break the exchange. Changes a hook makes to them are ignored.
 */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node's http (and undici) refuse in a header value: a hook's bad value is a 500, never an upstream failure. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** A path the upstream URL can be built from: starts with one `/`, no spaces, control characters or fragment. */
const VALID_PATH = /^\/(?!\/)[^\s#\x00-\x1f\x7f]*$/;

/** The server is not chosen yet when the hook runs: Host is filled in per try, unless the hook sets it. */
const NO_SERVER: ServerInfo = Object.freeze({
  url: '',
  origin: '',
  protocol: 'http:',
  hostname: '',
  port: 0,
  host: '',
  basePath: '',
  backup: false,
});

/** Thrown (and answered 500) when a hook leaves something switchyard cannot send. */
export class HookResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookResultError';
  }
}

/**
 * Run `rewriteRequest` (which must be set) on a copy of the upstream headers. Resolves with the
 * rewrite to apply to each try; rejects when the hook throws or rejects, or leaves an invalid
 * header or path: the adapter then answers 500 and sends nothing upstream.
 */
export async function runRequestHook(hooks: ResolvedHooks, input: RequestHookInput): Promise<RequestRewrite> {
  const built = buildUpstreamHeaders(input.incoming, { ...input.headerContext, server: NO_SERVER });
  // A Host taken from the picked server is not known yet (a configured or the client's Host is).
  if (requestHeaderPlan(input.headerContext.location).hostNeedsServer) delete built.host;
  const before: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const name in built) {
    if (FRAMING.has(name)) continue;
    const value = built[name];
    if (value !== undefined) before[name] = typeof value === 'number' ? String(value) : value;
  }
  const ctx: RequestHookContext = { headers: { ...before }, path: input.route.path, request: input.request, req: input.req };
  await (hooks.rewriteRequest as NonNullable<ResolvedHooks['rewriteRequest']>)(ctx);
  return diff(before, ctx);
}

function diff(before: Record<string, string | string[]>, ctx: RequestHookContext): RequestRewrite {
  const path = ctx.path;
  if (typeof path !== 'string' || !VALID_PATH.test(path)) {
    throw new HookResultError(
      `rewriteRequest left ctx.path ${JSON.stringify(path)}: it must start with a single '/' and hold no spaces, control characters or '#'`,
    );
  }
  const after = ctx.headers;
  if (typeof after !== 'object' || after === null) throw new HookResultError('rewriteRequest replaced ctx.headers with a non-object');
  const set: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const kept = new Set<string>();
  for (const rawName of Object.keys(after)) {
    const value = after[rawName];
    if (value === undefined || value === null) continue;
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name)) throw new HookResultError(`rewriteRequest set an invalid header name ${JSON.stringify(rawName)}`);
    const checked = checkValue(value, name);
    kept.add(name);
    if (FRAMING.has(name) || same(before[name], checked)) continue;
    set[name] = checked;
  }
  const remove: string[] = [];
  for (const name in before) if (!kept.has(name)) remove.push(name);
  return { path, set, remove };
}

function checkValue(value: unknown, name: string): string | string[] {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (BAD_VALUE.test(value)) throw new HookResultError(`rewriteRequest set header ${name} with a character HTTP does not allow (CR, LF, control characters)`);
    return value;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && !BAD_VALUE.test(v))) return [...(value as string[])];
  throw new HookResultError(`rewriteRequest set header ${name} to something other than a string or an array of strings`);
}

function same(a: string | string[] | undefined, b: string | string[]): boolean {
  if (a === undefined) return false;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Apply a rewrite to the headers one try is about to send (after the adapter's own adjustments). */
export function applyRequestRewrite(headers: OutgoingHttpHeaders, rewrite: RequestRewrite): void {
  for (const name of rewrite.remove) delete headers[name];
  const set = rewrite.set;
  for (const name in set) headers[name] = set[name];
}

/** The route with the path the hook chose (the same object when the hook left the path alone). */
export function rewrittenRoute(route: ProxyRoute, rewrite: RequestRewrite): ProxyRoute {
  return rewrite.path === route.path ? route : { location: route.location, upstream: route.upstream, path: rewrite.path };
}

export type { HookHeaders };
