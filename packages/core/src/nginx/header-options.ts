/** @module nginx `add_header` / `expires` of a level turned into `addHeaders` / `expires` options, written only where they differ from what the level would inherit. */
import type { AddHeaderOptions, ExpiresOption } from '../added-headers/added-header-types.js';
import type { ResponseSettings } from './response-directives.js';

/** What nginx's headers filter does at one level, after inheritance. */
export interface HeaderLevel {
  readonly add: readonly { readonly name: string; readonly value: string; readonly always: boolean }[];
  readonly expires: ExpiresOption | undefined;
}

export const NO_HEADERS: HeaderLevel = { add: [], expires: undefined };

/** The effective level of merged settings (`expires off` is no expires). */
export function headerLevel(settings: ResponseSettings): HeaderLevel {
  return { add: settings.addHeaders ?? [], expires: settings.expires === 'off' ? undefined : settings.expires };
}

/** Set `addHeaders` / `expires` on `options` where `own` differs from `above` (an empty list or `'off'` drops the inherited one). */
export function writeHeaderOptions(options: { addHeaders?: AddHeaderOptions[]; expires?: ExpiresOption }, own: HeaderLevel, above: HeaderLevel): void {
  if (JSON.stringify(own.add) !== JSON.stringify(above.add)) {
    options.addHeaders = own.add.map((h) => (h.always ? { name: h.name, value: h.value, always: true } : { name: h.name, value: h.value }));
  }
  if (JSON.stringify(own.expires) !== JSON.stringify(above.expires)) options.expires = own.expires ?? 'off';
}
