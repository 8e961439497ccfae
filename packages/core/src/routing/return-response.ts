/** @module The response of an answer switchyard writes itself (a `return`, a file lookup's 403/404/405, the slash redirect) as nginx writes it: its page, Content-Type, Content-Length and an absolute Location. */
import type { Location, RedirectRequest, RedirectRoute, ReturnRoute } from '../types.js';
import { nginxErrorPage } from '../limits/status-pages.js';
import { absoluteLocation, redirectLocation } from './slash-redirect.js';

/** What to write: `close` is nginx's 444 (close the connection, no byte sent). */
export interface ReturnResponse {
  readonly close: boolean;
  readonly status: number;
  /** Lowercase names; Content-Length is absent where HTTP forbids it (204, 304). */
  readonly headers: Readonly<Record<string, string>>;
  /** `''` when the answer has none (HEAD: the adapters' HTTP server drops it and keeps the length). */
  readonly body: string;
}

const CLOSE = 444;

/**
 * A `return` (or an answer of the file lookup) as nginx's rewrite module and special responses
 * write it: the text with Content-Type text/plain (nginx's `default_type`), else for a status of
 * 300 and up nginx's own page (`server_tokens off` form) as text/html, else nothing. A Location
 * starting with `/` is made absolute as the location's `absoluteRedirect` says (`fallback`, the
 * top-level setting, for a server-level `return`), as nginx's header filter does.
 */
export function returnResponse(route: ReturnRoute, request: RedirectRequest, fallback?: Location['absoluteRedirect']): ReturnResponse {
  const { status, location, body } = route.return;
  if (status === CLOSE) return { close: true, status, headers: {}, body: '' };
  const headers: Record<string, string> = {};
  if (location !== undefined) {
    headers.location = location.startsWith('/')
      ? absoluteLocation(location, route.location !== undefined ? route.location.absoluteRedirect : fallback, request)
      : location;
  }
  return withBody(status, headers, body);
}

/** nginx's slash redirect (`/api` to `/api/`): 301 with its Location and nginx's page. */
export function redirectResponse(route: RedirectRoute, request: RedirectRequest): ReturnResponse {
  return withBody(301, { location: redirectLocation(route, request) }, undefined);
}

function withBody(status: number, headers: Record<string, string>, text: string | undefined): ReturnResponse {
  const page = text ?? (status >= 300 && status !== 304 ? nginxErrorPage(status) : '');
  if (text !== undefined) headers['content-type'] = 'text/plain';
  else if (page !== '') headers['content-type'] = 'text/html';
  if (status !== 204 && status !== 304) headers['content-length'] = String(Buffer.byteLength(page));
  return { close: false, status, headers, body: page };
}
