/** @module The status (JSON/HTML) and metrics responses that both adapters serve at the configured paths. */
import type { Switchyard } from '../types.js';

export interface AdminResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The answer for a request to `status.path` (JSON unless the client prefers text/html) or
 * `metrics.path`; `undefined` when `path` is neither. Adapters register routes for both paths.
 */
export async function adminResponse(sy: Switchyard, path: string, _accept: string | undefined): Promise<AdminResponse | undefined> {
  if (sy.config.status !== undefined && path === sy.config.status.path) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify(sy.status()),
    };
  }
  return undefined;
}
