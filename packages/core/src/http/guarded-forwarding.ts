/** @module The request path's calls into the core that can pick a server (and so run a user hash-key function), made safe: a throw becomes a one-line 500, never a crash or a stack. */
import type {
  Attempt,
  Decision,
  ForwardOptions,
  Outcome,
  ProxyRoute,
  QueueRefusal,
  QueueTicket,
  RequestFacts,
  RequestInfo,
  Switchyard,
  TryProgress,
} from '../types.js';

/** The pick threw (a hash key function, a broken configuration): the request is answered 500, the process goes on. */
export interface PickFailure {
  readonly action: 'fail';
  readonly status: 500;
  readonly reason: string;
  /** What was thrown, for the one log line. */
  readonly error: unknown;
}

/** A core decision, or a pick that threw. */
export type SafeDecision = Decision | PickFailure;

const REASON = 'internal error choosing an upstream';

/** Every PickFailure made here (a core Decision never is one). */
const made = new WeakSet<object>();

function pickFailure(error: unknown): PickFailure {
  const failure: PickFailure = { action: 'fail', status: 500, reason: REASON, error };
  made.add(failure);
  return failure;
}

export function isPickFailure(value: unknown): value is PickFailure {
  return typeof value === 'object' && value !== null && made.has(value);
}

/** `sy.forward(...).first()`: the first try, `undefined` when no server is live, or the failure of a pick that threw. */
export function firstAttempt(sy: Switchyard, route: ProxyRoute, request: RequestInfo, options: ForwardOptions): Attempt | PickFailure | undefined {
  try {
    return sy.forward(route, request, options).first();
  } catch (error) {
    return pickFailure(error);
  }
}

/** How a request's forwarding began: its first try, a pick that threw, a queue refusal, or no live server (`undefined`). */
export type FirstTry = Attempt | PickFailure | QueueRefusal | undefined;

/**
 * `firstAttempt`, waiting in the upstream's queue (`queue` option) when every server that could take
 * the request is at its `maxConns`. Returns the first try's outcome now, or a ticket: then `later` is
 * called exactly once with the try or the queue's refusal, unless `ticket.cancel()` comes first
 * (the client went away). Without a queue this is `firstAttempt`.
 */
export function startForwarding(
  sy: Switchyard,
  route: ProxyRoute,
  request: RequestInfo,
  replayableBody: boolean,
  later: (result: Attempt | QueueRefusal) => void,
  facts?: RequestFacts,
): FirstTry | QueueTicket {
  try {
    const forwarding = sy.forward(route, request, { replayableBody, queue: true, facts });
    const attempt = forwarding.first();
    if (attempt !== undefined) return attempt;
    return forwarding.wait(later);
  } catch (error) {
    return pickFailure(error);
  }
}

/** The `startForwarding` result that means "queued: wait for `later`". */
export function isQueueTicket(value: FirstTry | QueueTicket): value is QueueTicket {
  return value !== undefined && 'cancel' in value;
}

/** A refusal of the upstream queue (full, timed out, every server gone while waiting). */
export function isQueueRefusal(value: FirstTry): value is QueueRefusal {
  return value !== undefined && !isPickFailure(value) && 'action' in value;
}

/**
 * `attempt.end(...)`. The try is released before the core decides (and picks the next server), so
 * after a throw it is already given back: it must not be ended again.
 */
export function endAttempt(attempt: Attempt, outcome: Outcome, progress: TryProgress): SafeDecision {
  try {
    return attempt.end(outcome, progress);
  } catch (error) {
    return pickFailure(error);
  }
}

/**
 * `attempt.responded(...)`. A status that moves on releases its try (as the server's failure) before
 * the core picks the next server, so after a throw of that pick the try is already given back; the
 * `end({ aborted })` here only makes sure of it (a second release is ignored).
 */
export function respondedAttempt(attempt: Attempt, status: number, headerMs: number, progress: TryProgress): SafeDecision {
  try {
    return attempt.responded(status, headerMs, progress);
  } catch (error) {
    try {
      attempt.end({ aborted: true, headerMs }, progress);
    } catch {
      // An aborted try never picks; nothing else can throw here.
    }
    return pickFailure(error);
  }
}

/** The first line of what was thrown, trimmed: log lines never carry a stack or a multi-line message. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** One log line for a request answered with an error (method and path, no query string, no headers, no stack). */
export function requestErrorLine(method: string | undefined, url: string | undefined, status: number, reason: string, error: unknown): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '/';
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  return `switchyard: ${method ?? 'GET'} ${JSON.stringify(shown)} answered ${status} (${reason}): ${errorLine(error)}`;
}

/** One log line for a hook that threw or rejected (the same text on both adapters). */
export function hookFailureLine(hook: string, error: unknown): string {
  return `switchyard: ${hook} hook failed: ${errorLine(error)}`;
}

/** One log line for a request answered 500 because a pick threw. */
export function pickFailureLine(method: string | undefined, url: string | undefined, failure: PickFailure): string {
  return requestErrorLine(method, url, failure.status, failure.reason, failure.error);
}
