/** @module A client left while its request was upstream: the answer is awaited briefly and read out when small, so the keep-alive upstream connection survives instead of being reopened. */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { drainable } from './hook-glue.js';

/**
 * How long the answer to an abandoned request may still take (head and body) before its
 * connection is cut. A load generator that stops, or a browser navigating away, leaves requests
 * whose answers are usually milliseconds away: cutting each one cost a new upstream connection
 * per abandoned request (issue 18). A hung or slow upstream is still cut soon, as nginx does.
 */
export const ABANDONED_ANSWER_MS = 250;

/**
 * `proxyReq` was written completely and its try already released; read the rest of its answer out
 * of the connection (a small body of known length) so the agent keeps the socket, or cut it.
 * Errors on `proxyReq` are heard by the exchange's own listener, which ignores a settled try.
 */
export function discardAbandonedAnswer(proxyReq: ClientRequest, proxyRes: IncomingMessage | undefined): void {
  const cut = (): void => {
    proxyReq.destroy();
  };
  const timer = setTimeout(cut, ABANDONED_ANSWER_MS);
  timer.unref();
  const readOut = (res: IncomingMessage): void => {
    if (!drainable(res)) {
      clearTimeout(timer);
      cut();
      return;
    }
    res.once('end', () => clearTimeout(timer));
    res.unpipe();
    res.resume();
  };
  if (proxyRes !== undefined) {
    if (proxyRes.complete) clearTimeout(timer);
    else readOut(proxyRes);
    return;
  }
  // The exchange's 'response' listener resumes an answer that is no longer its try's; this one
  // only decides whether it may take that long.
  proxyReq.once('response', readOut);
  proxyReq.once('close', () => clearTimeout(timer));
}
