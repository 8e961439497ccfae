/** @module The hooks on a WebSocket upgrade (raw socket, no framework): rewriteRequest before the first try, onError and the 101's headers. */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProxyRoute, Switchyard } from '../types.js';
import { isEncrypted, toRequestInfo } from '../http/request-info.js';
import type { ResolvedHooks } from './hook-types.js';
import { runRequestHook, type RequestRewrite } from './request-hook.js';
import { hookErrorAnswer, hookFailureAnswer, runResponseHook, type GatewayAnswer } from './response-hooks.js';

/** Reason phrases of the statuses an error answer usually has (the phrase is informative only). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function writeAnswer(socket: Duplex, answer: GatewayAnswer): void {
  if (socket.destroyed) return;
  let head = `HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}\r\n`;
  for (const [name, value] of Object.entries(answer.headers)) head += `${name}: ${value}\r\n`;
  socket.write(`${head}connection: close\r\n\r\n`);
  socket.end(answer.body);
}

/**
 * Run `rewriteRequest` for an upgrade (`ctx.req` is the IncomingMessage): `proceed` with the
 * rewrite, or answer 500 on the raw socket and close it when the hook fails.
 */
export function runUpgradeRewrite(
  sy: Switchyard,
  hooks: ResolvedHooks,
  req: IncomingMessage,
  socket: Duplex,
  route: ProxyRoute,
  proceed: (rewrite: RequestRewrite) => void,
): void {
  const peerIp = req.socket.remoteAddress;
  runRequestHook(hooks, {
    incoming: req.headers,
    headerContext: {
      peerIp,
      encrypted: isEncrypted(req),
      trusted: sy.isTrustedProxy(peerIp ?? ''),
      location: route.location,
      websocket: true,
      method: req.method,
      requestUri: req.url,
      socket: req.socket,
    },
    route,
    request: toRequestInfo(req),
    req,
  }).then(proceed, () => writeAnswer(socket, hookFailureAnswer()));
}

/** onError's answer for an upgrade that failed, or `undefined` for switchyard's plain one. */
export function upgradeErrorAnswer(hooks: ResolvedHooks, status: number, reason: string, req: IncomingMessage): GatewayAnswer | undefined {
  return hookErrorAnswer(hooks, reason === 'no live upstream' ? 'no-live-upstream' : status === 504 ? 'timeout' : 'error', status, toRequestInfo(req));
}

/** The 101's headers after `rewriteResponseHeaders` (Upgrade/Connection kept); `undefined` when the hook failed. */
export function upgradeResponseHeaders(hooks: ResolvedHooks | undefined, headers: OutgoingHttpHeaders, req: IncomingMessage): OutgoingHttpHeaders | undefined {
  if (hooks === undefined || hooks.rewriteResponseHeaders === undefined) return headers;
  try {
    return runResponseHook(hooks, headers, toRequestInfo(req), 101, true);
  } catch {
    return undefined;
  }
}
