/** @module What every active health probe shares, HTTP/1.1 or HTTP/2: its result, its path, and how an answer is judged. */
import type { Readable } from 'node:stream';
import type { ResolvedHealthCheck, ServerInfo } from '../types.js';
import { statusAccepted, formatStatusRanges } from './status-ranges.js';

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

/** Judge a probe's answer: its status, then (with `check.body`) at most PROBE_BODY_LIMIT bytes of its body. Shared by the HTTP/2 probe. */
export function judgeResponse(status: number, res: Readable, check: ResolvedHealthCheck, finish: (r: ProbeResult) => void): void {
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

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
