/** @module Virtual hosts: server_name lookup, per-host routers and server-level `return`. */
export { createHostRouter, type HostRouter } from './host-router.js';
export { classifyServerName, createServerNameTable, normalizeHost, type ServerNameTable } from './server-names.js';
export { returnAnswer, unknownReturnVariables, RETURN_VARIABLES } from './return-answer.js';
