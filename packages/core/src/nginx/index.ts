/** @module nginx configuration import: the parser and the input loader the core and adapters use. */
export { parseNginxConfig, type NginxParseOptions } from './parse-nginx-config.js';
export { toSwitchyardOptions } from './load-input.js';
