/** @module One server's live state in a pool: admin flags, passive-health counters, smooth-RR weights and statistics. */
import type { HealthStatus, ResolvedServer, ResolvedUpstream, ServerInfo, ServerSource, ServerState } from '../types.js';
import { mergeTls } from '../config/resolve-tls.js';
import { serverInfo, writtenAuthority } from './server-info.js';
import { stickyServerId } from '../sticky/peer-name.js';

/** A server that is ramping up (slow start) never gets less than this share of its weight. */
const SLOW_START_FLOOR = 0.01;

export class ServerSlot {
  readonly url: string;
  readonly info: ServerInfo;
  /** `host:port` as written: the name nginx's consistent hash ring is built from. */
  readonly ringName: string;
  readonly backup: boolean;
  readonly source: ServerSource;
  // Changeable at run time (setServer / admin PATCH).
  maxFails: number;
  failTimeoutMs: number;
  maxConns: number;
  slowStartMs: number;
  /** nginx's `peer->sid`: the sticky value naming this server (its `route`, else MD5 of its address). */
  readonly stickyId: string;
  weight: number;
  down: boolean;
  drain: boolean;
  /** Verdict of active health checks; false only after a failed check (or before the first pass when mandatory). */
  healthy: boolean;
  health: HealthStatus | undefined;
  removed = false;
  /** Stable id within its pool (admin API `servers/ID`), set by the pool. */
  id = 0;

  // nginx ngx_http_upstream_rr_peer_t
  currentWeight = 0;
  effectiveWeight: number;
  fails = 0;
  accessed = 0;
  checked = 0;
  /** fails reached maxFails: reported as `failed` until a trial succeeds. */
  failed = false;

  // slow start: the weight in force ramps over [rampStart, rampEnd)
  rampStart = 0;
  rampEnd = 0;

  // least-time
  avgMs = 0;
  lastChosen: number;
  /** Scratch of the strategy scoring this pick. */
  cost = 0;
  costWeight = 0;

  // statistics
  active = 0;
  requests = 0;
  readonly responses = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  failsTotal = 0;
  unavailable = 0;
  headerSum = 0;
  headerCount = 0;
  totalSum = 0;
  totalCount = 0;

  constructor(config: ResolvedServer, healthy: boolean, now: number, upstream?: ResolvedUpstream) {
    this.url = config.url;
    this.info = serverInfo(config.url, config.backup, {
      upstream: upstream?.name,
      tls: mergeTls(upstream?.tls, config.tls),
      name: config.name,
      host: config.host,
      http2: upstream?.protocol === 'h2' || upstream?.protocol === 'h2c',
    });
    this.ringName = writtenAuthority(config.url);
    this.backup = config.backup;
    this.source = config.source ?? 'config';
    this.maxFails = config.maxFails;
    this.failTimeoutMs = config.failTimeoutMs;
    this.maxConns = config.maxConns;
    this.slowStartMs = config.slowStartMs;
    this.stickyId = stickyServerId(config.url, config.route);
    this.weight = config.weight;
    this.effectiveWeight = config.weight;
    this.down = config.down;
    this.drain = config.drain;
    this.healthy = healthy;
    this.lastChosen = now;
  }

  /** The weight in force at `now` (below `weight` only while slow start ramps it up). */
  weightAt(now: number): number {
    if (this.rampEnd <= now) return this.weight;
    const share = (now - this.rampStart) / (this.rampEnd - this.rampStart);
    return this.weight * (share > SLOW_START_FLOOR ? share : SLOW_START_FLOOR);
  }

  /** Begin slow start (NGINX Plus `slow_start`) after the server came back. */
  recovered(now: number): void {
    if (this.slowStartMs > 0) {
      this.rampStart = now;
      this.rampEnd = now + this.slowStartMs;
    }
  }

  /** The settings as a ResolvedServer (admin API reads, cluster snapshots). */
  settings(): ResolvedServer {
    const { url, weight, maxFails, failTimeoutMs, backup, down, drain, maxConns, slowStartMs, source } = this;
    return { url, weight, maxFails, failTimeoutMs, backup, down, drain, maxConns, slowStartMs, source };
  }

  state(): ServerState {
    if (this.down) return 'down';
    if (!this.healthy) return 'unhealthy';
    if (this.failed) return 'failed';
    if (this.drain) return 'draining';
    return 'up';
  }
}
