/** @module nginx `map`: variables whose value another value picks, usable in proxied headers, rewrite steps and the access log. */
export type { MapPart, MapTemplate, ResolvedMap, ResolvedMaps } from './map-types.js';
export { resolveMaps } from './resolve-maps.js';
export { evaluateMap, findMapEntry, type MapEntry } from './find-map-entry.js';
export { MapTemplateError, parseMapTemplate } from './map-template.js';
