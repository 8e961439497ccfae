/** @module nginx's `add_header` and `expires` (ngx_http_headers_filter_module): the headers filter adapters run on the answers they write themselves. */
import type { ResponseHeaderPlan, SiteMatch } from '../types.js';

export { applyAddedHeaders, addHeadersOnWrite, recordTarget, type HeaderTarget, type ApplyOptions } from './apply-added-headers.js';

/** The `addHeaders`/`expires` of an answer: its location's, or a server-level answer's server's. */
export function responseHeadersOf(route: SiteMatch): ResponseHeaderPlan | undefined {
  if (route.location !== undefined) return route.location.responseHeaders;
  return 'return' in route ? route.responseHeaders : undefined;
}
