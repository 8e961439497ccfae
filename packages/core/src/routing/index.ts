/** @module Location routing: path normalisation, nginx-order matching and upstream path rewriting. */
export { createRouter, type Router } from './router.js';
export { routeWithin, routeForLocation, withinSegment } from './rewrite.js';
export { normalizePath, encodePath } from './normalize-path.js';
export { adoptTargetHost, splitTarget, type RequestTarget } from './request-target.js';
export { followAccelRedirect, withAccelKept, MAX_ACCEL_REDIRECTS } from './accel-redirect.js';
export { redirectLocation } from './slash-redirect.js';
export { returnResponse, redirectResponse, type ReturnResponse } from './return-response.js';
export { createHostRouter, normalizeHost, type HostRouter } from './virtual-hosts/index.js';
export { applyRedirectRules, rewriteRedirectHeaders } from './proxy-redirect.js';
