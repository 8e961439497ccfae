/** @module The one rule on which servers the admin API may edit one by one (NGINX Plus refuses resolved servers too). */
import type { ServerSource } from '../types.js';

/** Why a server of this source cannot be patched or deleted on its own, or undefined when it can. */
export function notEditableReason(source: ServerSource | undefined): string | undefined {
  switch (source ?? 'config') {
    case 'config':
    case 'api':
      return undefined;
    case 'dns':
      return 'this server comes from DNS resolution (resolve): its addresses follow DNS; change the DNS records or the upstream configuration';
    case 'discover':
      return "this server comes from the upstream's discover function: the next update would undo the change; change it at its source";
  }
}
