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
    const outcome: Outcome = { status, headerMs };
    const decision = this.#owner.decide(this, outcome, progress);
    if (decision.action === 'retry') {
      this.#release(outcome);
      this.#decision = decision;
    } else {
      this.#delivering = true;
    }
    return decision;
  }

  end(outcome: Outcome, progress: TryProgress): Decision {
    if (this.#decision !== undefined) return this.#decision;
    this.#release(outcome);
    if (this.#delivering) {
      // The response was already being delivered: a late failure can only cut it short.
      this.#decision =
        outcome.failure === undefined
          ? DELIVER
          : { action: 'fail', status: outcome.failure === 'timeout' ? 504 : 502, reason: FAILURE_REASON[outcome.failure] };
    } else {
      this.#decision = this.#owner.decide(this, outcome, progress);
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
    budget?.deposit(this.#started);
    this.#facts = facts;
    this.#group = facts !== undefined ? facts.beginGroup(route.location, route.upstream) : 0;
  }

  first(): Attempt | undefined {
    if (this.#tries > 0) throw new Error('Forwarding.first() may be called once; follow Decision.retry for further tries');
    return this.#next();
  }

  #next(): Attempt | undefined {
    const pick = this.#pool.pick(this.#ctx);
    const facts = this.#facts;
    if (pick === undefined) {
      if (facts !== undefined && this.#tries === 0) facts.addNoLiveTry(this.#group, this.#pool.name);
      return undefined;
    }
    this.#ctx.tried.add(pick.server.url);
    this.#tries++;
    return new TryAttempt(this, pick, this.#tries, facts !== undefined ? facts.addTry(this.#group, this.#pool.name, pick.server, pick.sticky) : undefined);
  }

  /** nginx's ngx_http_upstream_next, plus the retry budget; called once per try by TryAttempt.end. */
  decide(attempt: Attempt, outcome: Outcome, progress: TryProgress): Decision {
    if (outcome.aborted) return { action: 'fail', status: 502, reason: 'client closed request' };
    const retry = this.#retry;
    const retryable = isRetryable(retry, outcome);
    if (outcome.status !== undefined && !retryable) return DELIVER;
    if (retryable && this.#mayRetry(progress)) {
      // The budget bounds the extra work retries put on servers. A try that never reached a server
      // (refused, unreachable, connect timeout, TLS refused) cost no server anything, so moving it
      // elsewhere is plain failover (nginx does it unbounded) and is not charged: a dead server's
      // requests all move on. Everything that reached a server (timeouts, resets, bad answers,
      // retryable statuses) is charged.
      const charged = progress.requestSent && this.budget !== undefined;
      const now = charged ? this.#env.now() : 0;
      if (charged && !this.budget.allows(now)) {
        this.#env.emit('retry', {
          upstream: this.#pool.name,
          from: attempt.server.url,
          attempt: this.#tries + 1,
          reason: outcome.failure ?? `http_${outcome.status}`,
          refused: 'budget',
        });
      } else {
        const next = this.#next();
        if (next !== undefined) {
          if (charged) this.budget.withdraw(now);
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
      }
    }
    // No further try: a real upstream response beats a made-up 502 (DESIGN.md, "Retries on a status").
    if (outcome.status !== undefined) return DELIVER;
    const failure = outcome.failure ?? 'error';
    return { action: 'fail', status: failure === 'timeout' ? 504 : 502, reason: FAILURE_REASON[failure] };
  }

  #mayRetry(progress: TryProgress): boolean {
    if (progress.responseStarted) return false;
    const retry = this.#retry;
    if (retry.tries > 0 && this.#tries >= retry.tries) return false;
    if (retry.timeoutMs > 0 && this.#env.now() - this.#started >= retry.timeoutMs) return false;
    if (progress.requestSent) {
      if (this.#nonIdempotent && !retry.nonIdempotent) return false;
      if (!this.#replayable) return false;
    }
    return true;
  }
}
