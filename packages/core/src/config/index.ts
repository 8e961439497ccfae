/** @module Configuration validation and resolution: the entry the rest of the core imports. */
export { resolveConfig, BALANCE_STRATEGIES } from './resolve-config.js';
export { resolveServer } from './resolve-server.js';
export { resolveCodeLocation, resolveRouteLocation, resolveLocation, parseLocationKey } from './resolve-location.js';
export { resolveRetry, resolveTimeouts, resolveHealthCheck, parseStatusRanges } from './resolve-policies.js';
export { parseDuration, optionalDuration } from './duration.js';
export { compileHashKey, HASH_KEY_VARIABLES } from './hash-key.js';
export { createTrustPredicate, parseTrustEntry, TRUST_PROXY_KEYWORDS } from './trust-proxy.js';
export * from './defaults.js';
