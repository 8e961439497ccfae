/** @module Per-location hooks: types, validation and the framework-agnostic runners the adapters call. */
export type {
  HookHeaders,
  RequestHookContext,
  ResponseHookContext,
  ErrorReason,
  ErrorHookContext,
  ErrorAnswer,
  LocationHooks,
  ResolvedHooks,
} from './hook-types.js';
export { HOOK_KEYS, readHooks, mergeHooks, resolveUpstreamHooks } from './resolve-hooks.js';
export { runRequestHook, applyRequestRewrite, rewrittenRoute, HookResultError, type RequestRewrite, type RequestHookInput } from './request-hook.js';
export {
  runResponseHook,
  planResponse,
  gatewayAnswer,
  hookErrorAnswer,
  hookFailureAnswer,
  plainGatewayAnswer,
  errorReasonFor,
  intercepts,
  type GatewayAnswer,
  type ResponsePlan,
} from './response-hooks.js';
