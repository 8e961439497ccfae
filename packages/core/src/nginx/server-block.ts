/** @module One nginx `server {}` block as a virtual host: its server_name list, default_server, listen ssl and a server-level `return`. */
import type { ReturnOptions } from '../types.js';
import { classifyServerName } from '../routing/virtual-hosts/server-names.js';
import { RETURN_VARIABLES, unknownReturnVariables } from '../routing/virtual-hosts/return-answer.js';
import { fail, type ImportNotes } from './notes.js';
import { readReturnWith } from './content-directives.js';
import type { Directive } from './syntax-tree.js';

/** What of a server block decides which requests it gets and what it answers before any location. */
export interface ServerHead {
  /** The server_name entries (lowercased; regexes as written); empty when none is given. */
  readonly names: string[];
  readonly isDefault: boolean;
  readonly ssl: Directive | undefined;
  readonly return: { options: ReturnOptions; at: Directive } | undefined;
  /** The identity two blocks share when they are copies of one site (the :80 and :443 blocks). */
  readonly key: string;
}

/**
 * Read `server_name`, `listen` and a `return` of a server block's own level. `listen` addresses
 * and ports are not kept: the Node server listens where the app says, and every server block
 * answers there; `default_server` (or `default`) marks the default host, `ssl` is reported by the caller.
 */
export function readServerHead(block: readonly Directive[], notes: ImportNotes): ServerHead {
  const names: string[] = [];
  let isDefault = false;
  let ssl: Directive | undefined;
  let ret: ServerHead['return'];
  for (const d of block) {
    if (d.name === 'server_name') {
      for (const arg of d.args) {
        const name = arg.value;
        // `""` is nginx's name for "no Host"; requests without Host go to the default server anyway.
        if (name === '') continue;
        if (name.startsWith('$')) {
          notes.warn(arg, `server name "${name}" ignored (variables in server_name are not evaluated)`);
          continue;
        }
        const c = classifyServerName(name);
        if ('error' in c) fail(arg, `server name "${name}" ${c.error}`);
        const value = c.kind === 'regex' ? name : name.toLowerCase();
        if (!names.includes(value)) names.push(value);
      }
    } else if (d.name === 'listen') {
      for (const arg of d.args.slice(1)) {
        if (arg.value === 'default_server' || arg.value === 'default') isDefault = true;
        if (arg.value === 'ssl') ssl ??= d;
      }
    } else if (d.name === 'ssl' && d.args[0]?.value === 'on') {
      // nginx's deprecated `ssl on;` (before 1.25.1) makes every listen of the block TLS, as `listen ... ssl` does.
      ssl ??= d;
    } else if (d.name === 'return') {
      if (ret === undefined) ret = { options: readReturn(d), at: d };
    }
  }
  const key = JSON.stringify([...names].sort());
  return { names, isDefault, ssl, return: ret, key };
}

/** nginx's `return code [text|url]` and `return url` (302) of a server: the variables a server-level return knows. */
function readReturn(d: Directive): ReturnOptions {
  return readReturnWith(d, (at, text) => {
    const unknown = unknownReturnVariables(text);
    if (unknown.length > 0) fail(at, `"$${unknown[0]}" in "return" is not supported (known: ${RETURN_VARIABLES.map((v) => `$${v}`).join(', ')})`);
  });
}
