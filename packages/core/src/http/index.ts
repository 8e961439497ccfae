/** @module Node-HTTP helpers shared by the adapters (headers, errors, WebSockets); built-ins only. */
export { HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
export { buildUpstreamHeaders, filterResponseHeaders, type UpstreamHeaderContext } from './upstream-headers.js';
export { withoutUnderscoreHeaders } from './header-names.js';
export { classifyTransportError, gatewayErrorBody, isRelayableStatus, UpstreamTransportError } from './transport-errors.js';
export { toRequestInfo, isEncrypted, toRedirectRequest } from './request-info.js';
export { displayAddress } from './client-address.js';
export { createWebSocketProxy, type WebSocketProxy } from './websocket-proxy.js';
export { upgradeResponse, takeUpgrade, isWebSocketRequest, type PendingUpgrade } from './upgrade-dispatch.js';
export {
  endAttempt,
  errorLine,
  hookFailureLine,
  firstAttempt,
  startForwarding,
  isQueueTicket,
  isQueueRefusal,
  isPickFailure,
  pickFailureLine,
  requestErrorLine,
  respondedAttempt,
  type PickFailure,
  type FirstTry,
  type SafeDecision,
} from './guarded-forwarding.js';
export { isRequestBuildError } from './request-build-errors.js';
export { retryStatus } from './grpc-status.js';
export { upstreamTlsOptions, upstreamAddress, upstreamRequestOptions, type UpstreamTlsOptions, type UpstreamAddress } from './upstream-connection.js';
