/** @module What both adapters log once at start: the nginx import warnings; and the console logger the Express adapter uses by default. */
import type { Switchyard, SwitchyardLogger } from '../types.js';

/**
 * The nginx import warnings by consequence: one line summing them up, then each warning that
 * changes what reaches the app (kind `'changes'`) at warn, so it is seen with its line and what
 * to do, and each harmless one (`user`, `worker_processes`, ...) at debug (info when the logger
 * has no `debug`): an imported file never changes behaviour silently, and a large file does not
 * flood the warn level with what does not matter.
 */
export function logStartupNotes(sy: Switchyard, logger: SwitchyardLogger): void {
  const warnings = sy.warnings;
  if (warnings.length === 0) return;
  // A Switchyard built before importNotes existed, or notes out of step with the texts: every warning counts as one that changes something.
  const notes = sy.importNotes?.length === warnings.length ? sy.importNotes.map((n) => n.kind) : warnings.map(() => 'changes' as const);
  const changes = notes.filter((k) => k === 'changes').length;
  const harmless = warnings.length - changes;
  const quiet = logger.debug !== undefined ? logger.debug.bind(logger) : logger.info.bind(logger);
  const n = warnings.length;
  const summary =
    `switchyard: nginx import: ${n} warning${n === 1 ? '' : 's'}, ${changes} that change${changes === 1 ? 's' : ''} what reaches the app (at warn) and ` +
    `${harmless} harmless (ignored, changing nothing here; at ${logger.debug !== undefined ? 'debug' : 'info'}); the list is in .switchyard.warnings and .switchyard.importNotes`;
  if (changes > 0) logger.warn(summary);
  else quiet(summary);
  warnings.forEach((w, i) => {
    if (notes[i] === 'changes') logger.warn(`switchyard: nginx import: ${w}`);
    else quiet(`switchyard: nginx import: ${w}`);
  });
}

/**
 * The default logger of the Express adapter: the same one-line messages as on Fastify, on the
 * console (stdout for info, stderr for warnings and errors), as nginx logs upstream errors by
 * default. Debug lines are not printed (the console has no levels to turn them down with).
 */
export const consoleLogger: SwitchyardLogger = Object.freeze({
  info: (msg: string) => console.info(msg),
  warn: (msg: string) => console.warn(msg),
  error: (msg: string) => console.error(msg),
});
