/** @module The access log: nginx log_format templates over the per-request facts, for the adapters. */
export { compileLogFormat, COMBINED_FORMAT, UPSTREAM_FORMAT, JSON_FIELDS, NAMED_FORMATS, type AccessLogFormat, type LogEscape } from './log-format.js';
export { VARIABLE_NAMES, seconds, type LogContext } from './variables.js';
export { type AccessLogOption, type AccessLogOptions, type ResolvedAccessLog } from './resolve-access-log.js';
