/** @module Strategies by name: the pool asks here for the chooser of its `balance` setting. */
import type { BalanceStrategyName, ResolvedUpstream } from '../types.js';
import type { Chooser, ChooserFactory } from './chooser.js';
import { ConsistentHash } from './strategies/consistent-hash.js';
import { KeyHash } from './strategies/hash.js';
import { IpHash } from './strategies/ip-hash.js';
import { LeastConn } from './strategies/least-conn.js';
import { LeastTime } from './strategies/least-time.js';
import { RandomTwo } from './strategies/random-two.js';
import { RandomChoice } from './strategies/random.js';
import { RoundRobin } from './strategies/round-robin.js';

const strategies = new Map<BalanceStrategyName, ChooserFactory>([
  ['round-robin', () => new RoundRobin()],
  ['least-conn', () => new LeastConn()],
  ['least-time', () => new LeastTime()],
  ['random', () => new RandomChoice()],
  ['random-two', () => new RandomTwo()],
  ['ip-hash', () => new IpHash()],
  ['hash', (config) => (config.hash?.consistent ? new ConsistentHash() : new KeyHash())],
]);

/** A fresh chooser (strategies keep per-tier state, so each tier gets its own). */
export function createChooser(config: ResolvedUpstream): Chooser {
  const factory = strategies.get(config.balance);
  if (factory === undefined) throw new TypeError(`unknown balance strategy "${config.balance}"`);
  return factory(config);
}
