/** @module A pool of servers for one upstream: eligibility, passive health, backups, runtime control and statistics around a strategy. */
import { SwitchyardConfigError, SwitchyardLookupError } from '../errors.js';
import { MAX_WEIGHT } from '../config/defaults.js';
import type { AdminServerView, PoolControl, PoolEnv } from '../internal.js';
import type {
  HealthStatus,
  Outcome,
  Pick,
  PickContext,
  ResolvedServer,
  ResolvedUpstream,
  ServerInfo,
  ServerChangeReason,
  ServerStatus,
  UpstreamStatus,
} from '../types.js';
import { PickGate, type Chooser } from './chooser.js';
import { createChooser } from './registry.js';
import { ServerSlot } from './server-slot.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestInfo } from '../types.js';
import { StickyBinding } from '../sticky/sticky-binding.js';
import { accountBoundPick, boundSlot } from '../sticky/bound-pick.js';
import { publicPatch, type ResolvedServerPatch } from '../config/resolve-server-patch.js';
import { PickQueue, type SetTimer } from '../queue/pick-queue.js';
import type { Attempt } from '../types.js';
import { PassiveLimits } from './passive-limits.js';

/** nginx never counts these as an unsuccessful attempt, whatever proxy_next_upstream says. */
const NEVER_FAILS = (status: number): boolean => status === 403 || status === 404;

/** Weight of each new sample in least-time's moving average (DESIGN.md "least-time in full"). */
const SAMPLE_WEIGHT = 0.05;

const responseClass = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** One try on one server; `release` settles it once. */
class PoolPick implements Pick {
  readonly server: ServerInfo;
  #slot: ServerSlot | undefined;
  readonly #pool: Pool;
  readonly #failOn: ReadonlySet<number> | undefined;
  /** Picked as the one trial after a failure window. */
  readonly #trial: boolean;
  readonly #stickyId: string;
  readonly #request: RequestInfo | undefined;

  constructor(pool: Pool, slot: ServerSlot, failOn: ReadonlySet<number> | undefined, request?: RequestInfo) {
    this.server = slot.info;
    this.#slot = slot;
    this.#pool = pool;
    this.#failOn = failOn;
    this.#trial = slot.failed;
    this.#stickyId = slot.stickyId;
    this.#request = request;
  }

  responseCookie(headers: IncomingHttpHeaders): string | undefined {
    return this.#pool.stickyResponse(this.#stickyId, this.#request, headers);
  }

  release(outcome: Outcome): void {
    const slot = this.#slot;
    if (slot === undefined) return;
    this.#slot = undefined;
    this.#pool.settle(slot, outcome, this.#failOn, this.#trial);
  }
}

export class Pool implements PoolControl {
  readonly name: string;
  readonly config: ResolvedUpstream;
  readonly #env: PoolEnv;
  readonly #gate: PickGate;
  readonly #mandatory: boolean;
  /** Every server in configuration (then insertion) order. */
  #all: ServerSlot[] = [];
  #primary: ServerSlot[] = [];
  #backup: ServerSlot[] = [];
  readonly #primaryChooser: Chooser;
  readonly #backupChooser: Chooser;
  #infos: readonly ServerInfo[] = [];
  #active = 0;
  /** Servers not `down` (see triesLimit), kept by #reindex and setServer. */
  #notDown = 0;
  readonly #sticky: StickyBinding | undefined;
  /** Servers by the key a bound request carries (`StickyBinding.keyOf` of their sticky id; only with `sticky`). */
  #byKey = new Map<string, ServerSlot>();
  /** Removed servers with tries still in flight (nginx's zombies), shown by status() until they finish. */
  readonly #zombies = new Set<ServerSlot>();
  #nextId = 0;
  readonly queue: PickQueue<Attempt> | undefined;
  /** `passive`: panic threshold and max ejected share (absent: nginx's passive health as is). */
  readonly #limits: PassiveLimits | undefined;

  constructor(config: ResolvedUpstream, env: PoolEnv) {
    this.name = config.name;
    this.config = config;
    this.#env = env;
    this.#gate = new PickGate(config, () => env.random());
    this.#mandatory = config.healthCheck?.mandatory === true;
    this.#primaryChooser = createChooser(config);
    this.#backupChooser = createChooser(config);
    this.#sticky = config.sticky !== undefined ? new StickyBinding(config.sticky) : undefined;
    this.#limits = config.passive !== undefined ? new PassiveLimits(config.name, config.passive, env) : undefined;
    const now = env.now();
    for (const server of config.servers) this.#all.push(this.#numbered(new ServerSlot(server, !this.#mandatory, now, config)));
    this.queue = config.queue !== undefined ? new PickQueue(config.queue, env.setTimer ?? unrefTimer, () => this.servable()) : undefined;
    this.#reindex(true, true);
  }

  servable(ctx?: PickContext): boolean {
    const gate = this.#gate;
    gate.begin(ctx, this.#env.now());
    const takes = (s: ServerSlot): boolean => !s.drain && gate.takesOnceFree(s);
    return this.#primary.some(takes) || this.#backup.some(takes);
  }

  get active(): number {
    return this.#active;
  }

  /** nginx's `peer.tries` before `proxy_next_upstream_tries`: the servers not `down`, primaries and backups. */
  get triesLimit(): number {
    return this.#notDown;
  }

  #countNotDown(): void {
    let n = 0;
    for (const s of this.#all) if (!s.down) n++;
    this.#notDown = n;
  }

  servers(): readonly ServerInfo[] {
    return this.#infos;
  }

  pick(ctx?: PickContext): Pick | undefined {
    const now = this.#env.now();
    const gate = this.#gate;
    gate.begin(ctx, now);
    if (this.#limits !== undefined) gate.ignorePassive = this.#limits.panic(this.#primary, this.#backup, now);
    let slot = this.#sticky !== undefined && ctx?.request !== undefined && ctx.sticky !== false ? this.#boundPick(ctx.request, now) : undefined;
    // sticky strict (Angie's sticky_strict): a binding that names no usable server is not rebalanced.
    if (slot === null) return undefined;
    if (slot === undefined) slot = this.#primaryChooser.choose(this.#primary, gate);
    if (slot === undefined && this.#backup.length > 0) slot = this.#backupChooser.choose(this.#backup, gate);
    if (slot === undefined) {
      this.#reportNoLive(ctx, now);
      return undefined;
    }
    slot.active++;
    slot.requests++;
    slot.lastChosen = now;
    this.#active++;
    // nginx: picking a server after its window starts a new one, so exactly one trial is in flight.
    if (now - slot.checked > slot.failTimeoutMs) slot.checked = now;
    return new PoolPick(this, slot, ctx?.failOn, ctx?.request);
  }

  /**
   * The server of a request bound to one (sticky) that may take it, counted in round robin as nginx
   * counts it; undefined to balance the request as unbound; null when `strict` refuses it.
   */
  #boundPick(request: RequestInfo, now: number): ServerSlot | null | undefined {
    const sticky = this.#sticky as StickyBinding;
    const key = sticky.boundKey(request, now);
    if (key === undefined) return undefined;
    const choice = boundSlot(key === null ? undefined : this.#byKey.get(key), this.#gate, this.#primary);
    if (choice === 'balance') return undefined;
    if (choice === 'unavailable') return sticky.strict ? null : undefined;
    if (this.config.balance === 'round-robin') accountBoundPick(choice, choice.backup ? this.#backup : this.#primary, this.#gate);
    return choice;
  }

  /** PoolPick.responseCookie: sticky learning and the Set-Cookie value for the server `stickyId`. */
  stickyResponse(stickyId: string, request: RequestInfo | undefined, headers: IncomingHttpHeaders): string | undefined {
    return this.#sticky?.respond(stickyId, request, headers, this.#env.now());
  }

  /** Called once per pick by PoolPick.release. */
  settle(slot: ServerSlot, outcome: Outcome, failOn: ReadonlySet<number> | undefined, trial: boolean): void {
    if (slot.active > 0) slot.active--;
    if (this.#active > 0) this.#active--;
    // A slot is free: the oldest waiting request may take it (after this settle, on a microtask).
    this.queue?.wake();
    if (slot.removed && slot.active === 0) this.#zombies.delete(slot);
    if (this.#env.listening('response')) {
      this.#env.emit('response', {
        upstream: this.name,
        url: slot.url,
        status: outcome.status,
        failure: outcome.failure,
        aborted: outcome.aborted,
        headerMs: outcome.headerMs,
        totalMs: outcome.totalMs,
      });
    }
    if (outcome.failure !== undefined && this.#env.listening('try:failed'))
      this.#env.emit('try:failed', { upstream: this.name, url: slot.url, failure: outcome.failure });
    if (outcome.aborted === true) return;

    let failed = outcome.failure !== undefined;
    const status = outcome.status;
    if (status !== undefined) {
      const cls = responseClass[Math.floor(status / 100)];
      if (cls !== undefined) slot.responses[cls]++;
      // nginx marks a server failed for a status only when it moves on to another server
      // (ngx_http_upstream_next); the response handed to the client is freed as a success.
      if (outcome.next === true && !NEVER_FAILS(status) && (failOn ?? this.config.retry.onStatus).has(status)) failed = true;
    }
    if (failed) {
      slot.failsTotal++;
    } else {
      this.#recordTimes(slot, outcome);
    }
    if (slot.removed || this.#gate.single) return;

    const now = this.#env.now();
    if (failed) {
      // passive.maxEjectedPercent: a failure that would eject one server too many is not counted toward it.
      if (this.#limits?.capped(slot, slot.fails + 1, slot.backup ? this.#backup : this.#primary, now) !== true) slot.fails++;
      slot.accessed = now;
      slot.checked = now;
      if (slot.maxFails > 0) {
        slot.effectiveWeight -= Math.floor(slot.weight / slot.maxFails);
        if (slot.fails >= slot.maxFails) {
          if (!slot.failed) {
            slot.failed = true;
            slot.unavailable++;
            this.#env.emit('server:down', { upstream: this.name, url: slot.url, state: 'failed', reason: 'passive' });
          } else if (trial) {
            slot.unavailable++;
          }
        }
      }
      if (slot.effectiveWeight < 0) slot.effectiveWeight = 0;
    } else if (slot.accessed < slot.checked) {
      // nginx: "mark peer live if check passed".
      slot.fails = 0;
      if (slot.failed) {
        slot.failed = false;
        slot.recovered(now);
        this.#env.emit('server:up', { upstream: this.name, url: slot.url, reason: 'passive' });
      }
    }
  }

  #recordTimes(slot: ServerSlot, outcome: Outcome): void {
    const { headerMs, totalMs } = outcome;
    if (headerMs !== undefined) {
      slot.headerSum += headerMs;
      slot.headerCount++;
    }
    if (totalMs !== undefined) {
      slot.totalSum += totalMs;
      slot.totalCount++;
    }
    const sample = headerMs ?? totalMs;
    if (sample !== undefined) slot.avgMs = (1 - SAMPLE_WEIGHT) * slot.avgMs + SAMPLE_WEIGHT * sample;
  }

  #reportNoLive(ctx: PickContext | undefined, now: number): void {
    if (ctx?.tried !== undefined && ctx.tried.size > 0) {
      // Only "no live upstreams" when it is not just that this request already tried the live ones.
      const gate = this.#gate;
      gate.begin(undefined, now);
      for (const s of this.#all) if (gate.bindable(s)) return;
    }
    this.#env.emit('no-live-upstream', { upstream: this.name });
  }

  addServer(server: ResolvedServer): void {
    if (this.#find(server.url) !== undefined) throw new SwitchyardLookupError(`upstream "${this.name}" already has server ${server.url}`);
    if (server.route !== undefined && this.#all.some((s) => s.stickyId === server.route)) {
      throw new SwitchyardConfigError(`addServer(${this.name}, ${server.url}).route`, `repeats the route ${JSON.stringify(server.route)} of another server`);
    }
    const slot = this.#numbered(new ServerSlot(server, !this.#mandatory, this.#env.now(), this.config));
    this.#all.push(slot);
    this.#reindex(!slot.backup, slot.backup);
    this.#env.emit('server:added', { upstream: this.name, url: slot.url, reason: 'admin' });
  }

  /**
   * Apply a DNS/discover diff with one reindex: survivors keep all their state, `added` start fresh
   * (ramping up with slowStart), `removed` get no new tries and finish those in flight. Urls already
   * in the pool are skipped; returns the urls actually added.
   */
  applyDiff(added: readonly ResolvedServer[], removed: readonly string[], reason: ServerChangeReason, rampUp: boolean): string[] {
    const now = this.#env.now();
    const gone = new Set<ServerSlot>();
    for (const url of removed) {
      const slot = this.#find(url);
      if (slot === undefined) continue;
      slot.removed = true;
      if (slot.active > 0) this.#zombies.add(slot);
      gone.add(slot);
    }
    if (gone.size > 0) this.#all = this.#all.filter((s) => !gone.has(s));
    // A few additions (the usual DNS change) scan the list; many build a set once.
    const urls = added.length > 16 ? new Set(this.#all.map((s) => s.url)) : undefined;
    const fresh: ServerSlot[] = [];
    for (const server of added) {
      if (urls !== undefined ? urls.has(server.url) : this.#find(server.url) !== undefined || fresh.some((s) => s.url === server.url)) continue;
      urls?.add(server.url);
      const slot = this.#numbered(new ServerSlot(server, !this.#mandatory, now, this.config));
      // A new address (not a first answer) ramps up like a recovered server (NGINX Plus slow_start).
      if (rampUp) slot.recovered(now);
      this.#all.push(slot);
      fresh.push(slot);
    }
    const changed = [...gone, ...fresh];
    if (changed.length === 0) return [];
    this.#reindex(
      changed.some((s) => !s.backup),
      changed.some((s) => s.backup),
    );
    for (const slot of gone) this.#env.emit('server:removed', { upstream: this.name, url: slot.url, reason, ...nameOf(slot) });
    for (const slot of fresh) this.#env.emit('server:added', { upstream: this.name, url: slot.url, reason, ...nameOf(slot) });
    return fresh.map((s) => s.url);
  }

  removeServer(url: string): boolean {
    const slot = this.#find(url);
    if (slot === undefined) return false;
    slot.removed = true;
    if (slot.active > 0) this.#zombies.add(slot);
    this.#all = this.#all.filter((s) => s !== slot);
    this.#reindex(!slot.backup, slot.backup);
    this.#env.emit('server:removed', { upstream: this.name, url, reason: 'admin' });
    return true;
  }

  setServer(url: string, patch: ResolvedServerPatch): void {
    const slot = this.#find(url);
    if (slot === undefined) throw new SwitchyardLookupError(`upstream "${this.name}" has no server ${url}`);
    const { weight, down, drain } = patch;
    if (weight !== undefined && !(Number.isInteger(weight) && weight > 0)) {
      throw new SwitchyardConfigError(`setServer(${this.name}, ${url}).weight`, `must be a positive integer, got ${String(weight)}`);
    }
    if (weight !== undefined && weight > MAX_WEIGHT) {
      throw new SwitchyardConfigError(`setServer(${this.name}, ${url}).weight`, `must be at most ${MAX_WEIGHT}, got ${weight}`);
    }
    const now = this.#env.now();
    if (weight !== undefined && weight !== slot.weight) {
      slot.weight = weight;
      if (slot.effectiveWeight > weight) slot.effectiveWeight = weight;
      this.#reindex(!slot.backup, slot.backup);
    }
    if (drain !== undefined) slot.drain = drain;
    if (patch.maxFails !== undefined) slot.maxFails = patch.maxFails;
    if (patch.failTimeoutMs !== undefined) slot.failTimeoutMs = patch.failTimeoutMs;
    if (patch.maxConns !== undefined) slot.maxConns = patch.maxConns;
    if (patch.slowStartMs !== undefined) slot.slowStartMs = patch.slowStartMs;
    const wasDown = slot.down;
    if (down !== undefined) slot.down = down;
    if (slot.down !== wasDown) this.#countNotDown();
    this.#env.emit('server:updated', { upstream: this.name, url, patch: publicPatch(patch) });
    if (!wasDown && slot.down) {
      this.#env.emit('server:down', { upstream: this.name, url, state: 'down', reason: 'admin' });
    } else if (wasDown && !slot.down) {
      slot.recovered(now);
      this.#env.emit('server:up', { upstream: this.name, url, reason: 'admin' });
    }
    // A raised maxConns or a server back from down may take waiting requests.
    this.queue?.wake();
  }

  adminServers(): AdminServerView[] {
    return this.#all.map((s) => ({ id: s.id, settings: s.settings(), state: s.state(), healthy: s.healthy, health: s.health }));
  }

  peerFailure(url: string, failed: boolean): void {
    const slot = this.#find(url);
    if (slot === undefined || this.#gate.single) return;
    const now = this.#env.now();
    if (failed) {
      if (this.#limits?.capped(slot, slot.maxFails, slot.backup ? this.#backup : this.#primary, now) === true) return;
      // As if our own tries had failed maxFails times now: no try here until failTimeout passed.
      slot.fails = Math.max(slot.fails, slot.maxFails);
      slot.accessed = now;
      slot.checked = now;
      slot.failed = slot.maxFails > 0;
    } else if (slot.failed) {
      slot.fails = 0;
      slot.failed = false;
      slot.recovered(now);
    }
  }

  setHealth(url: string, healthy: boolean, last: HealthStatus): void {
    const slot = this.#find(url);
    // A probe may finish after its server was removed.
    if (slot === undefined) return;
    slot.health = last;
    if (healthy) {
      // A passing probe re-admits a passively failed server at once; a failing one below the
      // `fails` threshold leaves the verdict healthy but proves nothing.
      const readmit = last.ok && slot.failed;
      const wasOut = !slot.healthy || readmit;
      slot.healthy = true;
      if (last.ok) {
        slot.fails = 0;
        slot.failed = false;
      }
      if (wasOut) {
        slot.recovered(this.#env.now());
        this.#env.emit('server:up', { upstream: this.name, url, reason: 'health' });
        this.queue?.wake();
      }
    } else if (slot.healthy) {
      slot.healthy = false;
      this.#env.emit('server:down', { upstream: this.name, url, state: 'unhealthy', reason: 'health' });
    }
  }

  status(): UpstreamStatus {
    const toStatus = (s: ServerSlot): ServerStatus => {
      const status: ServerStatus = {
        url: s.url,
        state: s.state(),
        backup: s.backup,
        weight: s.weight,
        active: s.active,
        requests: s.requests,
        responses: { ...s.responses },
        fails: s.failsTotal,
        unavailable: s.unavailable,
        headerMs: s.headerCount > 0 ? s.headerSum / s.headerCount : 0,
        totalMs: s.totalCount > 0 ? s.totalSum / s.totalCount : 0,
        ...(s.health !== undefined ? { health: s.health } : {}),
        ...nameOf(s),
      };
      return status;
    };
    const servers = this.#all.map(toStatus);
    const sessions = this.#sticky?.sessions(this.#env.now());
    return {
      balance: this.config.balance,
      servers,
      ...(sessions !== undefined ? { sessions } : {}),
      ...(this.#zombies.size > 0 ? { zombies: [...this.#zombies].map(toStatus) } : {}),
      ...(this.queue !== undefined ? { queue: this.queue.status() } : {}),
      ...(this.#limits?.panicEnabled === true ? { panic: this.#limits.inPanic } : {}),
    };
  }

  /** NGINX Plus's server ids: in configuration then insertion order, never reused in this pool. */
  #numbered(slot: ServerSlot): ServerSlot {
    slot.id = this.#nextId++;
    return slot;
  }

  #find(url: string): ServerSlot | undefined {
    for (const s of this.#all) if (s.url === url) return s;
    return undefined;
  }

  /** Rebuild tiers (and the strategy state of the tiers that changed) after membership or weights changed. */
  #reindex(primaryChanged: boolean, backupChanged: boolean): void {
    this.#primary = this.#all.filter((s) => !s.backup);
    this.#backup = this.#all.filter((s) => s.backup);
    if (primaryChanged) this.#primaryChooser.rebuild(this.#primary);
    if (backupChanged) this.#backupChooser.rebuild(this.#backup);
    this.#gate.single = this.#primary.length === 1 && this.#backup.length === 0;
    this.#countNotDown();
    this.#infos = Object.freeze(this.#all.map((s) => s.info));
    this.queue?.wake();
    const sticky = this.#sticky;
    if (sticky !== undefined) {
      // The first server keeps an id two share (one address written as http and https).
      this.#byKey = new Map();
      for (const s of this.#all) {
        const key = sticky.keyOf(s.stickyId);
        if (!this.#byKey.has(key)) this.#byKey.set(key, s);
      }
    }
  }
}

/** The default queue timer: it must not keep the process alive on its own. */
const unrefTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

function nameOf(slot: ServerSlot): { name?: string } {
  return slot.info.name !== undefined ? { name: slot.info.name } : {};
}
