/** @module Express side of the location hooks: runs rewriteRequest before the first try, writes hook and error answers, drops intercepted upstream answers. */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  hookFailureLine,
  isEncrypted,
  runRequestHook,
  type GatewayAnswer,
  type ProxyRoute,
  type RequestInfo,
  type RequestRewrite,
  type ResolvedHooks,
  type Switchyard,
  type SwitchyardLogger,
} from '@switchyard/core';

/** An intercepted upstream body this small is read to the end so its keep-alive connection is reused; a larger or unknown one is cut. */
const DRAIN_LIMIT = 64 * 1024;

/** Reports a hook failure to the middleware's logger (if any): one line, never per successful request. */
export function hookReporter(logger: SwitchyardLogger | undefined, hook: string): ((err: unknown) => void) | undefined {
  if (logger === undefined) return undefined;
  return (err) => logger.error(hookFailureLine(hook, err));
}

/** Write an answer switchyard makes itself; `close` ends the connection after it (an upload left unread). */
export function writeAnswer(res: ServerResponse, answer: GatewayAnswer, close: boolean): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** Whether the discarded upstream response may be read to its end (small, known length) rather than its connection cut. */
export function drainable(proxyRes: { readonly headers: IncomingHttpHeaders }): boolean {
  const length = Number(proxyRes.headers['content-length']);
  return Number.isFinite(length) && length <= DRAIN_LIMIT;
}

/**
 * Run `rewriteRequest` once for this request: `proceed` with its rewrite, or `failed` (answer 500,
 * nothing sent upstream) when the hook throws, rejects or leaves something unsendable.
 */
export function runRewrite(
  sy: Switchyard,
  hooks: ResolvedHooks,
  req: IncomingMessage,
  route: ProxyRoute,
  info: RequestInfo,
  bodyLength: number | undefined,
  logger: SwitchyardLogger | undefined,
  proceed: (rewrite: RequestRewrite) => void,
  failed: () => void,
): void {
  const peerIp = req.socket.remoteAddress;
  runRequestHook(hooks, {
    incoming: req.headers,
    headerContext: {
      peerIp,
      encrypted: isEncrypted(req),
      trusted: sy.isTrustedProxy(peerIp ?? ''),
      location: route.location,
      bodyLength,
      method: req.method,
      requestUri: info.url,
      socket: req.socket,
    },
    route,
    request: info,
    req,
  }).then(proceed, (err: unknown) => {
    hookReporter(logger, 'rewriteRequest')?.(err);
    failed();
  });
}

/**
 * With a header hook, the hook sees what the client would get: headers the app already set on the
 * response (Express's own X-Powered-By, a CORS middleware's) under the upstream's.
 */
export function withAppHeaders(res: ServerResponse, headers: OutgoingHttpHeaders, hooks: ResolvedHooks): OutgoingHttpHeaders {
  if (hooks.rewriteResponseHeaders === undefined || res.getHeaderNames().length === 0) return headers;
  return { ...res.getHeaders(), ...headers };
}

/** Headers the app set that the hook removed are taken off the response too. */
export function dropRemovedAppHeaders(res: ServerResponse, headers: OutgoingHttpHeaders): void {
  for (const name of res.getHeaderNames()) if (!(name in headers)) res.removeHeader(name);
}
