/** @module nginx `resolver` and `resolver_timeout` (in http {}, server {} or upstream {}) read into switchyard's `resolver` options. */
import type { ResolverOptions } from '../types.js';
import { nginxDuration } from './durations.js';
import { fail, type ImportNotes } from './notes.js';
import type { Directive } from './syntax-tree.js';

/** `resolver 10.0.0.2 [::1]:5353 valid=30s ipv6=off;` (`status_zone=` is accepted and ignored with a warning). */
export function readResolver(d: Directive, into: ResolverOptions, notes: ImportNotes): void {
  if (d.args.length === 0) fail(d, 'invalid number of arguments in "resolver" directive');
  const servers: string[] = [];
  for (const a of d.args) {
    const eq = a.value.indexOf('=');
    const key = eq === -1 ? '' : a.value.slice(0, eq);
    const val = a.value.slice(eq + 1);
    if (key === 'valid') {
      const duration = nginxDuration(val);
      if (duration === undefined) fail(a, `invalid parameter "${a.value}" in "resolver" directive`);
      into.valid = duration;
    } else if (key === 'ipv4' || key === 'ipv6') {
      if (val !== 'on' && val !== 'off') fail(a, `invalid parameter "${a.value}" in "resolver" directive`);
      into[key] = val === 'on';
    } else if (key === 'status_zone') {
      notes.ignored(a, `resolver ${a.value}`, 'the status JSON shows the resolver state per name', 'harmless');
    } else if (key !== '') {
      fail(a, `invalid parameter "${a.value}" in "resolver" directive`);
    } else {
      servers.push(a.value);
    }
  }
  if (servers.length === 0) fail(d, 'no name servers defined in "resolver" directive');
  into.servers = servers;
}

/** `resolver_timeout 5s;` */
export function readResolverTimeout(d: Directive, into: ResolverOptions): void {
  const arg = d.args[0];
  if (arg === undefined || d.args.length !== 1) fail(d, 'invalid number of arguments in "resolver_timeout" directive');
  const duration = nginxDuration(arg.value);
  if (duration === undefined) fail(arg, `invalid value "${arg.value}" in "resolver_timeout" directive`);
  into.timeout = duration;
}
