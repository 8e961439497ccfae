/** @module Public entry point of @switchyard/express: nginx-style upstream pools and locations as an Express middleware on node:http (each try's upstream request made directly on a keep-alive agent). */
export {
  switchyard,
  type SwitchyardMiddleware,
  type ExpressSwitchyardOptions,
  type ProxyToOptions,
  type ProxyHandler,
  type NextFunction,
} from './switchyard-middleware.js';
export { MAX_HELD_BODY } from './request-body.js';
export { accessLogFields, morganTokens, requestFacts, type AccessLogDestination, type MorganLike } from './access-log.js';
export type { SwitchyardInput, SwitchyardOptions, Switchyard, SwitchyardLogger } from '@switchyard/core';
export { defineConfig } from '@switchyard/core';
