/** @module `closeTimeout`: the grace open proxied requests get at close (nginx `worker_shutdown_timeout`). */
import { timerDuration } from './duration.js';

/** Default grace at close, ms (`'10s'`). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export function resolveCloseTimeout(value: unknown): number {
  return timerDuration(value, 'closeTimeout', DEFAULT_CLOSE_TIMEOUT_MS);
}
