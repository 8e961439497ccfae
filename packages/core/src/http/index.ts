/** @module Node-HTTP helpers shared by the adapters (headers, errors, WebSockets); built-ins only. */
export { HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
export { buildUpstreamHeaders, filterResponseHeaders, requestHeaderPlan, type UpstreamHeaderContext } from './upstream-headers.js';
export { compileHeaderValue, HeaderValueError, KNOWN_VARIABLES, type HeaderValue, type VariableSource } from './header-variables.js';
export type { RequestHeaderPlan } from './request-header-plan.js';
export { DEFAULT_HIDDEN_HEADERS, PROXY_INSTRUCTION_HEADERS } from './hidden-response-headers.js';
export { hasDuplicateHost, DUPLICATE_HOST_REASON } from './duplicate-host.js';
export { classifyTransportError, gatewayErrorBody, isRelayableStatus, UpstreamTransportError } from './transport-errors.js';
export { withoutUnderscoreHeaders } from './header-names.js';
export { toRequestInfo, isEncrypted, toRedirectRequest } from './request-info.js';
export { matchRequest, requestHost } from './site-request.js';
export { BODY_TOO_LARGE_HEADERS, BODY_TOO_LARGE_PAGE, bodyLimitVerdict, readBodyWithin, type BodyLimitVerdict } from './body-limit.js';
export { displayAddress } from './client-address.js';
export { closeWithoutAnswer } from './close-without-answer.js';
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
