/** @module Logs one line per server state change (never per request) to a pino/console-style logger. */
import type { Switchyard, SwitchyardLogger } from '../types.js';

/** Subscribes the logger to state-change events; returns a function that unsubscribes. */
export function attachStateLogger(sy: Switchyard, logger: SwitchyardLogger): () => void {
  const down = (e: { upstream: string; url: string; state: string; reason: string }): void =>
    logger.warn(`switchyard: ${e.upstream} ${e.url} is ${e.state} (${e.reason})`);
  const up = (e: { upstream: string; url: string; reason: string }): void => logger.info(`switchyard: ${e.upstream} ${e.url} is up (${e.reason})`);
  const added = (e: { upstream: string; url: string }): void => logger.info(`switchyard: ${e.upstream} ${e.url} added`);
  const removed = (e: { upstream: string; url: string }): void => logger.info(`switchyard: ${e.upstream} ${e.url} removed`);
  const none = (e: { upstream: string }): void => logger.error(`switchyard: no live upstream in ${e.upstream}`);
  sy.on('server:down', down).on('server:up', up).on('server:added', added).on('server:removed', removed).on('no-live-upstream', none);
  return () => {
    sy.off('server:down', down).off('server:up', up).off('server:added', added).off('server:removed', removed).off('no-live-upstream', none);
  };
}
