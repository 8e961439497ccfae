/** @module nginx's preaccess and access phases on the Express side (limit_req, limit_conn, allow/deny, auth_basic): the answer core's `admit` gives, a delayed request resumed, limit_conn slots released when the response closes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyLimitVerdict, type Admission, type Location, type Switchyard } from '@switchyard/core';

/**
 * Whether the request may be proxied now. False when the limits answered it (503, 429, 403,
 * 401...: nginx's page; Node drains its unread body, as for the other early answers), or when it
 * waits out a limit_req delay: `later` runs after the delay, never if the client left first. A
 * request let through holds its limit_conn slots until its response closes (sent, or the client gone).
 */
export function passLimits(
  sy: Switchyard,
  req: IncomingMessage,
  res: ServerResponse,
  location: Location,
  later: () => void,
  log: (line: string) => void,
): boolean {
  if (location.limits === undefined) return true;
  // A Content-Length over client_max_body_size is refused when nginx finds the location, before these phases.
  if (bodyLimitVerdict(req.headers, location.maxBodyBytes, req.httpVersionMajor) === 'too-large') return true;
  const aborted = new AbortController();
  const info = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, clientIp: req.socket.remoteAddress ?? '' };
  const verdict = sy.admit(location, info, aborted.signal);
  if (!(verdict instanceof Promise)) return settle(verdict, res);
  const onClose = (): void => aborted.abort();
  res.once('close', onClose);
  verdict.then(
    (admission) => {
      res.off('close', onClose);
      if (admission !== undefined && settle(admission, res)) later();
    },
    (err: unknown) => {
      res.off('close', onClose);
      log(`switchyard: request limits failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 22 });
        res.end('Internal Server Error\n');
      }
    },
  );
  return false;
}

function settle(admission: Admission, res: ServerResponse): boolean {
  if (!admission.allowed) {
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(admission.status, admission.headers);
      res.end(admission.body);
    }
    return false;
  }
  if (res.destroyed || res.closed) {
    admission.release();
    return false;
  }
  res.once('close', admission.release);
  return true;
}
