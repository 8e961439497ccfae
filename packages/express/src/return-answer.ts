/** @module An answer switchyard writes itself (a `return`, a file lookup's 403/404/405, the slash redirect) written to the response as the core makes it: nginx's status, Location, page and lengths. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  closeWithoutAnswer,
  redirectResponse,
  returnResponse,
  toRedirectRequest,
  type Location,
  type RedirectRoute,
  type ReturnResponse,
  type ReturnRoute,
} from '@switchyard/core';

/** `fallback`: the top-level `absoluteRedirect`, for a server-level `return` to `/...`. */
export function sendReturn(req: IncomingMessage, res: ServerResponse, route: ReturnRoute, fallback: Location['absoluteRedirect']): void {
  write(res, returnResponse(route, toRedirectRequest(req), fallback));
}

export function sendSlashRedirect(req: IncomingMessage, res: ServerResponse, route: RedirectRoute): void {
  write(res, redirectResponse(route, toRedirectRequest(req)));
}

function write(res: ServerResponse, answer: ReturnResponse): void {
  if (answer.close) return closeWithoutAnswer(res);
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}
