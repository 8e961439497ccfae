/** @module The tries of one proxied request: picking, failover and nginx's proxy_next_upstream rules, decided once for both adapters. */
import type { IncomingHttpHeaders } from 'node:http';
import type {
  Attempt,
  Decision,
  FailureKind,
  Forwarding,
  Outcome,
  Pick,
  PickContext,
  ProxyRoute,
  QueueRefusal,
  QueueTicket,
  RequestInfo,
  ResolvedRetry,
  SwitchyardEvents,
  TryProgress,
} from '../types.js';
import type { PoolControl } from '../internal.js';
import type { RetryBudget } from './retry-budget.js';
import { tryEnded, tryResponded, type FactsRecord, type TryRecord } from '../request-facts/request-facts.js';

/** nginx treats these as non-idempotent: never retried once sent unless `nonIdempotent`. */
const NON_IDEMPOTENT = new Set(['POST', 'LOCK', 'PATCH']);

const FAILURE_REASON: Record<FailureKind, string> = {
  error: 'upstream connection failed',
  timeout: 'upstream timed out',
  invalid_header: 'invalid response from upstream',
};

export interface ForwardingEnv {
  now(): number;
  emit<E extends 'retry'>(event: E, payload: SwitchyardEvents[E]): void;
}

function isRetryable(retry: ResolvedRetry, outcome: Outcome): boolean {
  if (outcome.failure === 'error') return retry.onError;
  if (outcome.failure === 'timeout') return retry.onTimeout;
  if (outcome.failure === 'invalid_header') return retry.onInvalidHeader;
  if (outcome.status !== undefined) return retry.onStatus.has(outcome.status);
  return false;
}

const DELIVER: Decision = { action: 'deliver' };

/** nginx's answer when it moved on and found no server left ("no live upstreams", NGX_HTTP_UPSTREAM_FT_NOLIVE): 502, after a timeout too. */
const NO_LIVE: Decision = { action: 'fail', status: 502, reason: 'no live upstream' };

function failureDecision(failure: FailureKind): Decision {
  return { action: 'fail', status: failure === 'timeout' ? 504 : 502, reason: FAILURE_REASON[failure] };
}

class TryAttempt implements Attempt {
  readonly server: Pick['server'];
  readonly number: number;
  /** This try's facts, only for a request that records them (ForwardOptions.facts). */
  readonly facts: TryRecord | undefined;
  readonly #pick: Pick;
  readonly #owner: RequestForwarding;
  #decision: Decision | undefined;
  #delivering = false;

  constructor(owner: RequestForwarding, pick: Pick, number: number, facts: TryRecord | undefined) {
    this.#owner = owner;
    this.#pick = pick;
    this.server = pick.server;
    this.number = number;
    this.facts = facts;
  }

  responded(status: number, headerMs: number, progress: TryProgress): Decision {
    if (this.#decision !== undefined) return this.#decision;
    if (this.#delivering) return DELIVER;
    if (this.facts !== undefined) tryResponded(this.facts, status, headerMs);
    if (!this.#owner.movesOn(this, { status, headerMs }, progress)) {
      // Delivered: released with its status at end(), a success whatever the status (nginx frees the
      // response it hands to the client with state 0).
      this.#delivering = true;
      return DELIVER;
    }
    this.#decision = this.#moveOn({ status, headerMs, next: true });
    return this.#decision;
  }

  end(outcome: Outcome, progress: TryProgress): Decision {
    if (this.#decision !== undefined) return this.#decision;
    if (this.#delivering) {
      this.#release(outcome);
      // The response was already being delivered: a late failure can only cut it short.
      this.#decision = outcome.failure === undefined ? DELIVER : failureDecision(outcome.failure);
    } else if (outcome.aborted === true) {
      this.#release(outcome);
      this.#decision = { action: 'fail', status: 502, reason: 'client closed request' };
    } else if (this.#owner.movesOn(this, outcome, progress)) {
      this.#decision = this.#moveOn(outcome.status !== undefined ? { ...outcome, next: true } : outcome);
    } else {
      this.#release(outcome);
      this.#decision = outcome.failure === undefined ? DELIVER : failureDecision(outcome.failure);
    }
    return this.#decision;
  }

  responseCookie(headers: IncomingHttpHeaders): string | undefined {
    return this.#pick.responseCookie(headers);
  }

  #release(outcome: Outcome): void {
    if (this.facts !== undefined) tryEnded(this.facts, outcome);
    this.#pick.release(outcome);
  }

  /** nginx's ngx_http_upstream_next: free this server as failed first, then look for the next one. */
  #moveOn(outcome: Outcome): Decision {
    this.#release(outcome);
    return this.#owner.nextTry(this, outcome) ?? NO_LIVE;
  }
}

export class RequestForwarding implements Forwarding {
  readonly route: ProxyRoute;
  /** The pool's ledger for this request's budget setting; undefined with `budget: false`. */
  readonly budget: RetryBudget | undefined;
  readonly #pool: PoolControl;
  readonly #env: ForwardingEnv;
  readonly #retry: ResolvedRetry;
  readonly #ctx: PickContext & { tried: Set<string> };
  readonly #replayable: boolean;
  readonly #nonIdempotent: boolean;
  readonly #started: number;
  /** The caller can wait in the upstream queue (ForwardOptions.queue). */
  readonly #queueing: boolean;
  /** nginx's `peer.tries`: servers not down, capped by `retry.tries`; a try may move on while tries remain. */
  readonly #limit: number;
  /** When a moving-on try is charged to the budget, the time it was allowed (withdrawn once the next try exists). */
  #charge: number | undefined;
  readonly #facts: FactsRecord | undefined;
  readonly #group: number;
  #tries = 0;

  constructor(
    pool: PoolControl,
    budget: RetryBudget | undefined,
    env: ForwardingEnv,
    route: ProxyRoute,
    request: RequestInfo,
    replayableBody: boolean,
    facts?: FactsRecord,
    queueing = false,
  ) {
    this.route = route;
    this.budget = budget;
    this.#pool = pool;
    this.#env = env;
    this.#retry = route.location.retry;
    this.#ctx = { request, tried: new Set(), failOn: this.#retry.onStatus };
    this.#replayable = replayableBody;
    this.#nonIdempotent = NON_IDEMPOTENT.has(request.method.toUpperCase());
    this.#started = env.now();
    this.#queueing = queueing;
    const servers = pool.triesLimit;
    this.#limit = this.#retry.tries > 0 && this.#retry.tries < servers ? this.#retry.tries : servers;
    budget?.deposit(this.#started);
    this.#facts = facts;
    this.#group = facts !== undefined ? facts.beginGroup(route.location, route.upstream) : 0;
  }

  first(): Attempt | undefined {
    if (this.#tries > 0) throw new Error('Forwarding.first() may be called once; follow Decision.retry for further tries');
    // First come, first served: a free slot belongs to the oldest waiting request, not to this newcomer.
    if (this.#queueing && (this.#pool.queue?.waiting ?? 0) > 0) return undefined;
    return this.#next();
  }

  wait(done: (result: Attempt | QueueRefusal) => void): QueueTicket | QueueRefusal | undefined {
    const queue = this.#pool.queue;
    if (queue === undefined || !this.#queueing || this.#tries > 0) return undefined;
    // Only a pool that is busy waits: with every server failed or down there is nothing to wait for (502 now).
    if (!this.#pool.servable(this.#ctx)) return undefined;
    return queue.enter(() => this.#next(true), done);
  }

  /** The next try; `queued`: a pick for a request waiting in the queue (a miss there is no answer yet). */
  #next(queued = false): Attempt | undefined {
    const pick = this.#pool.pick(this.#ctx);
    const facts = this.#facts;
    if (pick === undefined) {
      if (facts !== undefined && this.#tries === 0 && !queued) facts.addNoLiveTry(this.#group, this.#pool.name);
      return undefined;
    }
    this.#ctx.tried.add(pick.server.url);
    this.#tries++;
    return new TryAttempt(this, pick, this.#tries, facts !== undefined ? facts.addTry(this.#group, this.#pool.name, pick.server, pick.sticky) : undefined);
  }

  /**
   * Does this try leave its answer for another server? nginx's ngx_http_upstream_test_next (statuses)
   * and ngx_http_upstream_next (failures): the outcome is in `retry.on`, a try remains, the method and
   * body allow it, the retry timeout has not passed; plus switchyard's retry budget. A status that does
   * not move on is delivered and counts as a success; one that does counts as the server's failure.
   */
  movesOn(attempt: Attempt, outcome: Outcome, progress: TryProgress): boolean {
    this.#charge = undefined;
    if (outcome.aborted === true || !isRetryable(this.#retry, outcome) || !this.#mayRetry(progress)) return false;
    // The budget bounds the extra work retries put on servers. A try that never reached a server
    // (refused, unreachable, connect timeout, TLS refused) cost no server anything, so moving it
    // elsewhere is plain failover (nginx does it unbounded) and is not charged: a dead server's
    // requests all move on. Everything that reached a server (timeouts, resets, bad answers,
    // retryable statuses) is charged.
    if (!progress.requestSent || this.budget === undefined) return true;
    const now = this.#env.now();
    if (!this.budget.allows(now)) {
      this.#env.emit('retry', {
        upstream: this.#pool.name,
        from: attempt.server.url,
        attempt: this.#tries + 1,
        reason: outcome.failure ?? `http_${outcome.status}`,
        refused: 'budget',
      });
      return false;
    }
    this.#charge = now;
    return true;
  }

  /** The try after `attempt` moved on (its server already released), or undefined when no server is left. */
  nextTry(attempt: Attempt, outcome: Outcome): Decision | undefined {
    const next = this.#next();
    if (next === undefined) return undefined;
    if (this.#charge !== undefined) this.budget?.withdraw(this.#charge);
    const tried = (attempt as TryAttempt).facts;
    if (tried !== undefined) tried.retried = true;
    this.#env.emit('retry', {
      upstream: this.#pool.name,
      from: attempt.server.url,
      to: next.server.url,
      attempt: next.number,
      reason: outcome.failure ?? `http_${outcome.status}`,
    });
    return { action: 'retry', attempt: next };
  }

  #mayRetry(progress: TryProgress): boolean {
    if (progress.responseStarted) return false;
    const retry = this.#retry;
    if (this.#tries >= this.#limit) return false;
    if (retry.timeoutMs > 0 && this.#env.now() - this.#started >= retry.timeoutMs) return false;
    if (progress.requestSent) {
      if (this.#nonIdempotent && !retry.nonIdempotent) return false;
      if (!this.#replayable) return false;
    }
    return true;
  }
}
