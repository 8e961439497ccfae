/** @module Maps transport errors (node:http, undici, http-proxy) to nginx failure kinds and short client-facing bodies. */
import type { FailureKind } from '../types.js';

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'SWITCHYARD_UPSTREAM_TIMEOUT',
]);

const INVALID_CODES = new Set([
  'UND_ERR_INFO',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'HPE_HEADER_OVERFLOW',
  'SWITCHYARD_INVALID_UPSTREAM_RESPONSE',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** `timeout` for timeouts, `invalid_header` for malformed responses, `error` for the rest (refused, reset, ...). */
export function classifyTransportError(err: unknown): FailureKind {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = codeOf(e);
    if (code !== undefined) {
      if (TIMEOUT_CODES.has(code)) return 'timeout';
      if (INVALID_CODES.has(code) || code.startsWith('HPE_')) return 'invalid_header';
    }
    if (e instanceof Error && e.name === 'TimeoutError') return 'timeout';
    // undici's llhttp errors carry no code, only the class name (an invalid header character, a bad status line).
    if (e instanceof Error && e.name === 'HTTPParserError') return 'invalid_header';
    // undici's answer to a 101 nobody asked for: a malformed response, as an invalid status is.
    if (code === 'UND_ERR_SOCKET' && e instanceof Error && e.message === 'bad upgrade') return 'invalid_header';
    e = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  }
  return 'error';
}

/**
 * Whether an upstream status can be relayed: RFC 9110 15 "all valid status codes are within the range
 * of 100 to 599"; 101 only answers a request that asked to upgrade (RFC 9110 7.8), which the
 * WebSocket path handles. nginx 1.22 relays 999 and an unasked 101; switchyard answers 502
 * (`invalid_header`): docs/nginx-conformance.md, `invalid-upstream-status`.
 */
export function isRelayableStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 599 && status !== 101;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A short plain-text body: status line and reason, nothing internal (no addresses, no stacks). */
export function gatewayErrorBody(status: number, reason: string): string {
  return `${status} ${STATUS_TEXT[status] ?? 'Error'}: ${reason}\n`;
}

/** An error carrying a code that `classifyTransportError` understands. */
export class UpstreamTransportError extends Error {
  readonly code: 'SWITCHYARD_UPSTREAM_TIMEOUT' | 'SWITCHYARD_INVALID_UPSTREAM_RESPONSE';
  constructor(code: UpstreamTransportError['code'], message: string) {
    super(message);
    this.name = 'UpstreamTransportError';
    this.code = code;
  }
}
