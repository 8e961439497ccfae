/** @module Keeps @fastify/reply-from's per-try `warn` (with a full stack) out of the log: switchyard logs one line per failed try itself. */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

/** reply-from's messages for a failed try (transport error, invalid status): switchyard reports both as `try failed`. */
const REPLY_FROM_TRY_MESSAGES = new Set(['response errored', 'response has invalid status code']);

const kQuiet = Symbol('switchyard.quietLog');

/**
 * Give `request` a logger that drops reply-from's two try messages and passes everything else to
 * the request's own logger (its level, bindings and reqId unchanged). The wrapper inherits from
 * the request's logger, as a pino child does, and changes nothing shared.
 */
export function quietReplyFromLog(request: FastifyRequest): void {
  const log = request.log as FastifyBaseLogger & { [kQuiet]?: true };
  if (log[kQuiet] === true) return;
  const warn = log.warn;
  const quiet = Object.create(log, {
    [kQuiet]: { value: true },
    warn: {
      value: function (this: unknown, ...args: unknown[]): void {
        if (args.length === 2 && args[0] instanceof Error && typeof args[1] === 'string' && REPLY_FROM_TRY_MESSAGES.has(args[1])) return;
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: pino's warn overloads take no unknown[]
        (warn as (...a: unknown[]) => void).apply(log, args);
      },
    },
  }) as FastifyBaseLogger;
  request.log = quiet;
}
