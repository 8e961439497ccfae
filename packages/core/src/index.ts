/** @module Public entry point of @switchyard/core. */
export * from './types.js';
export * from './errors.js';
