/** @module `addHeaders` / `expires` of a proxied location, run as part of its response header hook, so both adapters apply them where they already run that hook. */
import type { HookHeaders, ResolvedHooks, ResponseHookContext } from '../hooks/hook-types.js';
import type { ResponseHeaderPlan } from './added-header-types.js';
import { applyAddedHeaders, recordTarget } from './apply-added-headers.js';

/**
 * The hooks with the plan added before the location's own `rewriteResponseHeaders` (which sees,
 * and may change, what nginx's headers filter added). `hooks` as they were when there is no plan.
 */
export function withAddedHeaders(hooks: ResolvedHooks | undefined, plan: ResponseHeaderPlan | undefined): ResolvedHooks | undefined {
  if (plan === undefined) return hooks;
  const own = hooks?.rewriteResponseHeaders;
  const rewriteResponseHeaders = (headers: HookHeaders, ctx: ResponseHookContext): void => {
    applyAddedHeaders(plan, ctx.status, recordTarget(headers), ctx.request);
    own?.(headers, ctx);
  };
  return Object.freeze({
    rewriteRequest: hooks?.rewriteRequest,
    rewriteResponseHeaders,
    onError: hooks?.onError,
    interceptErrors: hooks?.interceptErrors ?? new Set<number>(),
  });
}
