/** @module Logs one line per server state change (never per request) to a pino/console-style logger. */
import type { FailureKind, ServerPatch, Switchyard, SwitchyardEvents, SwitchyardLogger } from '../types.js';

/** "No live upstream" can happen on every request of an outage: log it at most this often per upstream. */
export const NO_LIVE_UPSTREAM_LOG_INTERVAL_MS = 1000;

export interface StateLoggerOptions {
  /** Milliseconds for the rate limit (tests). Default `performance.now()`. */
  now?: () => number;
}

const FAILURE_TEXT: Record<FailureKind, string> = { error: 'connection error', timeout: 'timed out', invalid_header: 'invalid response' };

function describePatch(patch: ServerPatch): string {
  return Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Subscribes the logger to state-change events; returns a function that unsubscribes. */
export function attachStateLogger(sy: Switchyard, logger: SwitchyardLogger, options: StateLoggerOptions = {}): () => void {
  const now = options.now ?? (() => performance.now());
  const lastNoLive = new Map<string, { at: number; suppressed: number }>();

  const down = (e: SwitchyardEvents['server:down']): void => logger.warn(`switchyard: ${e.upstream} ${e.url} is ${e.state} (${e.reason})`);
  const up = (e: SwitchyardEvents['server:up']): void => logger.info(`switchyard: ${e.upstream} ${e.url} is up (${e.reason})`);
  const added = (e: SwitchyardEvents['server:added']): void => logger.info(`switchyard: ${e.upstream} ${e.url} added`);
  const removed = (e: SwitchyardEvents['server:removed']): void => logger.info(`switchyard: ${e.upstream} ${e.url} removed`);
  const updated = (e: SwitchyardEvents['server:updated']): void => logger.info(`switchyard: ${e.upstream} ${e.url} updated (${describePatch(e.patch)})`);
  // A failed try is an expected event (the next server takes the request): one line, no stack, at
  // info so that a logger at `warn` keeps only the state changes.
  // Not the per-request `response` event: with it every request would build and emit an event object.
  const tried = (e: SwitchyardEvents['try:failed']): void => logger.info(`switchyard: ${e.upstream} ${e.url} try failed (${FAILURE_TEXT[e.failure]})`);
  const none = (e: SwitchyardEvents['no-live-upstream']): void => {
    const t = now();
    const last = lastNoLive.get(e.upstream);
    if (last !== undefined && t - last.at < NO_LIVE_UPSTREAM_LOG_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    const more = last !== undefined && last.suppressed > 0 ? ` (${last.suppressed} more since the last message)` : '';
    lastNoLive.set(e.upstream, { at: t, suppressed: 0 });
    logger.error(`switchyard: no live upstream in ${e.upstream}${more}`);
  };

  // DNS / discover: one line when lookups start failing (the last good servers stay), one when they recover.
  const lookupFailed = (e: SwitchyardEvents['discovery:error']): void =>
    logger.warn(`switchyard: ${e.upstream} lookups of ${e.source} fail, keeping the last servers: ${e.error}`);
  const lookupRecovered = (e: SwitchyardEvents['discovery:recovered']): void => logger.info(`switchyard: ${e.upstream} lookups of ${e.source} answer again`);
  // Once per name at start: an empty pool then says why (not only "no live upstream").
  const firstAnswer = (e: SwitchyardEvents['discovery:answer']): void => {
    const found = e.answer.length > 0 ? e.answer.join(', ') : 'nothing';
    if (e.error === undefined) logger.info(`switchyard: ${e.upstream} ${e.source} resolved to ${found}`);
    else logger.warn(`switchyard: ${e.upstream} ${e.source} resolved to ${found}; ${e.error}`);
  };
  const panic = (e: SwitchyardEvents['upstream:panic']): void =>
    e.panic
      ? logger.warn(`switchyard: ${e.upstream} in panic: ${e.healthy} of ${e.servers} servers healthy, balancing over all of them (passive failures ignored)`)
      : logger.info(`switchyard: ${e.upstream} out of panic: ${e.healthy} of ${e.servers} servers healthy`);
  const limited = (e: SwitchyardEvents['input:limited']): void =>
    logger.warn(`switchyard: ${e.source} input ${e.action}${e.upstream !== undefined ? ` in ${e.upstream}` : ''}: ${e.field}: ${e.detail}`);

  sy.on('server:down', down)
    .on('server:up', up)
    .on('server:added', added)
    .on('server:removed', removed)
    .on('server:updated', updated)
    .on('no-live-upstream', none)
    .on('try:failed', tried);
  sy.on('discovery:error', lookupFailed)
    .on('discovery:recovered', lookupRecovered)
    .on('discovery:answer', firstAnswer)
    .on('input:limited', limited)
    .on('upstream:panic', panic);
  return () => {
    sy.off('server:down', down)
      .off('server:up', up)
      .off('server:added', added)
      .off('server:removed', removed)
      .off('server:updated', updated)
      .off('no-live-upstream', none)
      .off('try:failed', tried);
    sy.off('discovery:error', lookupFailed)
      .off('discovery:recovered', lookupRecovered)
      .off('discovery:answer', firstAnswer)
      .off('input:limited', limited)
      .off('upstream:panic', panic);
  };
}
