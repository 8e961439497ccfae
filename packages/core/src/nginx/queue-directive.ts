/** @module NGINX Plus `queue NUMBER [timeout=TIME];` inside `upstream`: the wait queue at max_conns, answered 502 when full or timed out, as Plus does. */
import type { QueueOptions } from '../types.js';
import { nginxDuration } from './durations.js';
import { fail } from './notes.js';
import type { Directive } from './syntax-tree.js';

export function readQueue(d: Directive): QueueOptions {
  const [n, ...params] = d.args;
  if (n === undefined || params.length > 1) fail(d, 'invalid number of arguments in "queue" directive');
  if (!/^\d+$/.test(n.value) || Number(n.value) < 1) fail(n, `invalid value "${n.value}" in "queue" directive`);
  // Imported configs keep nginx's answer: Plus answers 502 when the queue is full or the wait ran out.
  const out: QueueOptions = { size: Number(n.value), status: 502 };
  const p = params[0];
  if (p !== undefined) {
    const timeout = p.value.startsWith('timeout=') ? nginxDuration(p.value.slice('timeout='.length)) : undefined;
    if (timeout === undefined) fail(p, `invalid parameter "${p.value}" in "queue" directive`);
    out.timeout = timeout;
  }
  return out;
}
