/** @module One active health probe: a GET on a fresh connection with a hard deadline and a capped body read. */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ResolvedHealthCheck, ServerInfo } from '../types.js';
import { statusAccepted, formatStatusRanges } from './status-ranges.js';
import { upstreamRequestOptions } from '../http/upstream-connection.js';

/** Probes read at most this much of a response body: enough for any health page, bounded for a misbehaving one. */
export const PROBE_BODY_LIMIT = 64 * 1024;

export const PROBE_USER_AGENT = 'switchyard-health-check';

export interface ProbeResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
}

export interface RunningProbe {
  readonly done: Promise<ProbeResult>;
  /** Destroy the socket now; `done` settles with an error result. */
  cancel(): void;
}

/** Where a probe goes: the server's own path prefix (if its url has one) followed by the check's path. */
export function probePath(server: ServerInfo, check: ResolvedHealthCheck): string {
  return server.basePath === '' ? check.path : server.basePath + (check.path.startsWith('/') ? check.path : `/${check.path}`);
}

/**
 * Sends one probe. No agent (a probe must not reuse or hold a pooled connection, and must not
 * be mistaken for traffic), TLS as configured for the server (verified, client certificate,
 * servername), to its address or unix socket, Host as requests carry it; the whole exchange,
 * connect to last body byte read, must finish within `check.timeoutMs`.
 */
export function startProbe(server: ServerInfo, check: ResolvedHealthCheck): RunningProbe {
  let settle: (result: ProbeResult) => void = () => {};
  const done = new Promise<ProbeResult>((resolve) => {
    settle = resolve;
  });
  let finished = false;
  let req: ClientRequest | undefined;
  let res: IncomingMessage | undefined;
  const finish = (result: ProbeResult): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    res?.destroy();
    req?.destroy();
    settle(result);
  };
  const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${check.timeoutMs}ms` }), check.timeoutMs);
  timer.unref();

  const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    req = send(
      {
        ...upstreamRequestOptions(server),
        path: probePath(server, check),
        method: 'GET',
        agent: false,
        // A resolved address: SNI and the certificate check use the name it came from.
        ...(server.name !== undefined && server.protocol === 'https:' ? { servername: server.name } : {}),
        headers: { host: server.host, 'user-agent': PROBE_USER_AGENT, accept: '*/*', connection: 'close' },
      },
      (response) => {
        res = response;
        onResponse(response, check, finish);
      },
    );
  } catch (err) {
    finish({ ok: false, error: describeError(err) });
    return { done, cancel() {} };
  }
  req.on('error', (err) => finish({ ok: false, error: describeError(err) }));
  req.end();
  return { done, cancel: () => finish({ ok: false, error: 'cancelled' }) };
}

function onResponse(res: IncomingMessage, check: ResolvedHealthCheck, finish: (r: ProbeResult) => void): void {
  const status = res.statusCode ?? 0;
  if (!statusAccepted(status, check.status)) {
    finish({ ok: false, status, error: `status ${status} not in ${formatStatusRanges(check.status)}` });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const judge = (): void => {
    if (check.body === undefined) return finish({ ok: true, status });
    const text = Buffer.concat(chunks).toString('utf8');
    const matched = typeof check.body === 'string' ? text.includes(check.body) : matches(check.body, text);
    finish(matched ? { ok: true, status } : { ok: false, status, error: 'body did not match' });
  };
  res.on('data', (chunk: Buffer) => {
    if (check.body === undefined) return;
    const room = PROBE_BODY_LIMIT - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    // Whatever lies beyond the limit is not read: judge on what we have.
    if (size >= PROBE_BODY_LIMIT) judge();
  });
  res.on('end', judge);
  res.on('error', (err) => finish({ ok: false, status, error: describeError(err) }));
  // After 'end' this is a no-op; before it, the server cut the response short.
  res.on('close', () => finish({ ok: false, status, error: 'connection closed before the response ended' }));
}

/** A global or sticky RegExp keeps `lastIndex` between calls; each probe must test from the start. */
function matches(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
