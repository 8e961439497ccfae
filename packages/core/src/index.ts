/** @module Public entry point of @switchyard/core. */
export * from './types.js';
export * from './errors.js';
export { createSwitchyard } from './switchyard.js';
export * from './http/index.js';
export { adminResponse, type AdminResponse } from './admin/admin-routes.js';
export { attachStateLogger } from './admin/state-logger.js';
