/** @module The HTTP admin API in NGINX Plus's shape (`{path}/upstreams/NAME/servers[/ID]`), framework-agnostic: request in, `{status, headers, body}` out. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestInfo, ResolvedServer, ServerStatus, StatusSnapshot, Switchyard } from '../types.js';
import type { AdminServerView } from '../internal.js';
import { SwitchyardError, SwitchyardLookupError } from '../errors.js';
import { resolveServer } from '../config/resolve-server.js';
import { resolveServerPatch, publicPatch } from '../config/resolve-server-patch.js';
import { internalsOf, machineStatus } from './instance-internals.js';
import { notEditableReason } from './server-source.js';
import { writeAccess } from './admin-auth.js';
import { readJsonBody, type AdminBodySource } from './admin-body.js';
import { adminAddRefusal, allowOf } from './admin-allow.js';
import { isPlainObject } from '../config/describe.js';
import type { AdminResponse } from './admin-routes.js';

export interface AdminApiRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  clientIp: string;
  /** The unread request stream (read here, at most 16 KiB), bytes already read, or nothing. */
  body?: AdminBodySource;
}

export interface AdminApiOptions {
  /** Receives one line per change: who, from where, what (never the token). */
  log?: (msg: string) => void;
}

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
const WRITES = new Set(['POST', 'PATCH', 'DELETE']);

function json(status: number, value: unknown, extra: Record<string, string> = {}): AdminResponse {
  return { status, headers: { ...HEADERS, ...extra }, body: `${JSON.stringify(value, null, 2)}\n` };
}

function error(status: number, code: string, text: string, extra: Record<string, string> = {}): AdminResponse {
  return json(status, { error: { status, code, text } }, extra);
}

/** A body too large is left unread: the connection closes after the answer. */
function bodyError(status: 400 | 413, text: string): AdminResponse {
  return status === 413 ? error(413, 'BodyTooLarge', text, { connection: 'close' }) : error(400, 'InvalidBody', text);
}

/**
 * The JSON body of a POST/PATCH. `Content-Type: application/json` is required: a cross-site HTML
 * form cannot send it without a CORS preflight, so a browser session that `authorize` trusts
 * (a cookie) cannot be made to add a server by another site.
 */
async function readBody(req: AdminApiRequest): Promise<{ ok: true; value: unknown } | { ok: false; answer: AdminResponse }> {
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    return {
      ok: false,
      answer: error(
        415,
        'UnsupportedMediaType',
        `body must be JSON with Content-Type: application/json, got ${type === undefined ? 'no Content-Type' : JSON.stringify(type)}`,
      ),
    };
  }
  const body = await readJsonBody(req.body, req.headers['content-length']);
  return body.ok ? body : { ok: false, answer: bodyError(body.status, body.text) };
}

/** The field an error names (`body.weight`), for the `input:limited` event. */
function fieldOf(err: unknown, fallback: string): string {
  const path = (err as { path?: unknown }).path;
  return typeof path === 'string' ? path : fallback;
}

function jsonKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function requestInfo(req: AdminApiRequest): RequestInfo {
  return { method: req.method, url: req.url, headers: req.headers, clientIp: req.clientIp };
}

/** 400 naming the field, and the `input:limited` event (source `admin`). */
function invalid(sy: Switchyard, upstream: string, field: string, text: string): AdminResponse {
  internalsOf(sy).env?.emit('input:limited', { source: 'admin', upstream, field, action: 'refused', detail: text });
  return error(400, 'InvalidBody', text);
}

/** 403: the server is valid but `admin.allow` / `admin.validate` (or the default refusals) do not let it in. */
function notAllowed(sy: Switchyard, upstream: string, url: string, reason: string): AdminResponse {
  internalsOf(sy).env?.emit('input:limited', { source: 'admin', upstream, field: 'body.url', action: 'refused', detail: `${url}: ${reason}` });
  return error(403, 'ServerNotAllowed', `server ${url} may not be added through the admin API: ${reason}`);
}

/** Whether `path` (no query) is served by the admin API of `sy`. */
export function isAdminApiPath(sy: Switchyard, pathname: string): boolean {
  const base = sy.config.admin?.path;
  return base !== undefined && (pathname === base || pathname.startsWith(`${base}/`));
}

/** A server as the API shows it: settings (durations in ms, which PATCH accepts back), state and counters. */
function serverView(view: AdminServerView, stats: ServerStatus | undefined): Record<string, unknown> {
  const s: ResolvedServer = view.settings;
  return {
    id: view.id,
    url: s.url,
    source: s.source ?? 'config',
    state: view.state,
    weight: s.weight,
    maxFails: s.maxFails,
    failTimeout: s.failTimeoutMs,
    maxConns: s.maxConns,
    slowStart: s.slowStartMs,
    backup: s.backup,
    down: s.down,
    drain: s.drain,
    ...(stats !== undefined
      ? {
          active: stats.active,
          requests: stats.requests,
          responses: stats.responses,
          fails: stats.fails,
          unavailable: stats.unavailable,
          ...(stats.health !== undefined ? { health: stats.health } : {}),
        }
      : {}),
  };
}

/** Counters come from `snapshot` (summed over the workers when clustered), settings and ids from the pool. */
function serversOf(sy: Switchyard, name: string, snapshot: StatusSnapshot): Array<Record<string, unknown>> {
  const pool = internalsOf(sy).pools.get(name);
  if (pool === undefined) return [];
  const stats = new Map((snapshot.upstreams[name]?.servers ?? []).map((s) => [s.url, s]));
  return pool.adminServers().map((v) => serverView(v, stats.get(v.settings.url)));
}

function upstreamView(sy: Switchyard, name: string, snapshot: StatusSnapshot): Record<string, unknown> {
  const pool = internalsOf(sy).pools.get(name);
  return { name, balance: pool?.config.balance, servers: serversOf(sy, name, snapshot) };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The answer for a request under `admin.path`, or `undefined` when the path is not the API's (or
 * no admin API is configured). Reads are open like the status path; POST/PATCH/DELETE need the
 * token or `authorize`, checked before anything else is revealed or read.
 */
export async function adminApiResponse(sy: Switchyard, req: AdminApiRequest, options: AdminApiOptions = {}): Promise<AdminResponse | undefined> {
  const admin = sy.config.admin;
  if (admin === undefined) return undefined;
  const q = req.url.indexOf('?');
  const pathname = q >= 0 ? req.url.slice(0, q) : req.url;
  if (!isAdminApiPath(sy, pathname)) return undefined;
  const method = req.method.toUpperCase();
  const segments = pathname
    .slice(admin.path.length)
    .split('/')
    .filter((s, i) => i > 0 || s !== '');
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();

  let who = '';
  if (WRITES.has(method)) {
    const request: RequestInfo = { method: req.method, url: req.url, headers: req.headers, clientIp: req.clientIp };
    const access = await writeAccess(admin, request);
    if (!access.ok) {
      return access.status === 401
        ? error(401, 'Unauthorized', 'this change needs the admin token (Authorization: Bearer <token>)', { 'www-authenticate': 'Bearer realm="switchyard"' })
        : error(403, 'Forbidden', 'not allowed to change the balancer');
    }
    who = `${access.who} from ${req.clientIp}`;
  }

  const allow = (methods: string): AdminResponse =>
    error(405, 'MethodNotAllowed', `method ${method} not allowed here (allowed: ${methods})`, { allow: methods });
  const pools = internalsOf(sy).pools;

  if (segments.length === 0) return method === 'GET' || method === 'HEAD' ? json(200, ['upstreams']) : allow('GET');
  if (segments[0] !== 'upstreams') return error(404, 'PathNotFound', `unknown path ${JSON.stringify(pathname)}`);
  if (segments.length === 1) {
    if (method !== 'GET' && method !== 'HEAD') return allow('GET');
    const all: Record<string, unknown> = {};
    const snapshot = await machineStatus(sy);
    for (const name of pools.keys()) all[name] = upstreamView(sy, name, snapshot);
    return json(200, all);
  }
  const name = decodeSegment(segments[1] as string);
  if (name === undefined || !pools.has(name))
    return error(404, 'UpstreamNotFound', `unknown upstream ${JSON.stringify(name ?? segments[1])} (known: ${[...pools.keys()].join(', ')})`);
  const pool = pools.get(name)!;
  if (segments.length === 2) return method === 'GET' || method === 'HEAD' ? json(200, upstreamView(sy, name, await machineStatus(sy))) : allow('GET');
  if (segments[2] !== 'servers' || segments.length > 4) return error(404, 'PathNotFound', `unknown path ${JSON.stringify(pathname)}`);
  const log = options.log ?? (() => {});

  if (segments.length === 3) {
    if (method === 'GET' || method === 'HEAD') return json(200, serversOf(sy, name, await machineStatus(sy)));
    if (method !== 'POST') return allow('GET, POST');
    const body = await readBody(req);
    if (!body.ok) return body.answer;
    // An object only: a bare url string would be a server to the config, but the API documents `{ url, ... }`.
    if (!isPlainObject(body.value)) return invalid(sy, name, 'body', `body must be a JSON object { url, weight?, ... }, got ${jsonKind(body.value)}`);
    let server: ResolvedServer;
    try {
      server = resolveServer(body.value, 'body');
    } catch (err) {
      return invalid(sy, name, fieldOf(err, 'body'), (err as Error).message);
    }
    const refused = adminAddRefusal(allowOf(admin), server.url);
    if (refused !== undefined) return notAllowed(sy, name, server.url, refused);
    if (admin.validate !== undefined) {
      let reason: string | undefined | void;
      try {
        reason = await admin.validate({ upstream: name, url: server.url, server: body.value, request: requestInfo(req) });
      } catch (err) {
        reason = `admin.validate threw: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (typeof reason === 'string') return notAllowed(sy, name, server.url, reason);
    }
    if (pool.adminServers().some((v) => v.settings.url === server.url))
      return error(409, 'ServerExists', `upstream "${name}" already has server ${server.url}`);
    try {
      sy.addServer(name, { ...body.value, url: server.url });
    } catch (err) {
      if (err instanceof SwitchyardLookupError) return error(409, 'ServerExists', err.message);
      if (err instanceof SwitchyardError) return invalid(sy, name, fieldOf(err, 'body'), err.message);
      throw err;
    }
    const added = pool.adminServers().find((v) => v.settings.url === server.url);
    log(`switchyard: admin ${who}: added ${server.url} to ${name}`);
    return json(201, added !== undefined ? serverView(added, undefined) : { url: server.url });
  }

  const idText = segments[3] as string;
  const id = /^\d{1,9}$/.test(idText) ? Number(idText) : -1;
  const view = pool.adminServers().find((v) => v.id === id);
  if (view === undefined) return error(404, 'ServerNotFound', `upstream "${name}" has no server with id ${JSON.stringify(idText)}`);
  if (method === 'GET' || method === 'HEAD')
    return json(
      200,
      serverView(
        view,
        (await machineStatus(sy)).upstreams[name]?.servers.find((s) => s.url === view.settings.url),
      ),
    );
  if (method !== 'PATCH' && method !== 'DELETE') return allow('GET, PATCH, DELETE');
  const reason = notEditableReason(view.settings.source);
  if (reason !== undefined) return error(409, 'ServerNotEditable', `server ${id} (${view.settings.url}) cannot be changed one by one: ${reason}`);
  const url = view.settings.url;

  if (method === 'DELETE') {
    // In-flight requests on it finish: the pool only stops picking it.
    sy.removeServer(name, url);
    log(`switchyard: admin ${who}: removed ${url} (id ${id}) from ${name}`);
    return json(200, serversOf(sy, name, sy.status()));
  }
  const body = await readBody(req);
  if (!body.ok) return body.answer;
  let patch;
  try {
    patch = resolveServerPatch(body.value, 'body');
    sy.setServer(name, url, publicPatch(patch));
  } catch (err) {
    // Every refusal of the patch (checked here or by the pool) is the client's 400, never a 500.
    if (err instanceof SwitchyardError) return invalid(sy, name, fieldOf(err, 'body'), err.message);
    throw err;
  }
  const text = Object.entries(publicPatch(patch))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  log(`switchyard: admin ${who}: ${name} ${url} (id ${id}) set ${text === '' ? '(nothing)' : text}`);
  const after = pool.adminServers().find((v) => v.id === id);
  return json(
    200,
    after !== undefined
      ? serverView(
          after,
          pool.status().servers.find((s) => s.url === url),
        )
      : {},
  );
}
