/** @module nginx's preaccess and access phases on the Fastify side (limit_req, limit_conn, allow/deny, auth_basic): the answer core's `admit` gives, a delayed request resumed, limit_conn slots released when the response closes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bodyLimitVerdict, type Admission, type Location, type Switchyard } from '@switchyard/core';

/**
 * Whether the request may be proxied now. False when the limits answered it (503, 429, 403,
 * 401...: nginx's page; its unread body is drained by Node as for the other early answers), or
 * when it waits out a limit_req delay: `later` runs after the delay, never if the client left first.
 * A request let through holds its limit_conn slots until its response closes (sent, or the client gone).
 */
export function passLimits(sy: Switchyard, request: FastifyRequest, reply: FastifyReply, location: Location, later: () => void): boolean {
  if (location.limits === undefined) return true;
  const raw = request.raw;
  // A Content-Length over client_max_body_size is refused when nginx finds the location, before these phases.
  if (bodyLimitVerdict(raw.headers, location.maxBodyBytes, raw.httpVersionMajor) === 'too-large') return true;
  const aborted = new AbortController();
  const info = { method: raw.method ?? 'GET', url: raw.url ?? '/', headers: raw.headers, clientIp: raw.socket.remoteAddress ?? '' };
  const verdict = sy.admit(location, info, aborted.signal);
  if (!(verdict instanceof Promise)) return settle(verdict, reply);
  const onClose = (): void => aborted.abort();
  reply.raw.once('close', onClose);
  verdict.then(
    (admission) => {
      reply.raw.off('close', onClose);
      if (admission !== undefined && settle(admission, reply)) later();
    },
    (err: unknown) => {
      reply.raw.off('close', onClose);
      request.log.error(`switchyard: request limits failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!reply.sent) reply.code(500).type('text/plain; charset=utf-8').send('Internal Server Error\n');
    },
  );
  return false;
}

function settle(admission: Admission, reply: FastifyReply): boolean {
  if (!admission.allowed) {
    if (!reply.sent && !reply.raw.headersSent) reply.code(admission.status).headers(admission.headers).send(admission.body);
    return false;
  }
  if (reply.raw.destroyed || reply.raw.closed) {
    admission.release();
    return false;
  }
  reply.raw.once('close', admission.release);
  return true;
}
