/** @module What both adapters log once at start: the nginx import warnings; and the console logger the Express adapter uses by default. */
import type { Switchyard, SwitchyardLogger } from '../types.js';

/**
 * One warning line summing up the nginx import warnings (directives ignored or approximated),
 * then each warning at debug level (at warn when the logger has no `debug`), so an imported
 * file never changes behaviour silently and a large file does not flood the log.
 */
export function logStartupNotes(sy: Switchyard, logger: SwitchyardLogger): void {
  const warnings = sy.warnings;
  if (warnings.length === 0) return;
  const n = warnings.length;
  logger.warn(
    `switchyard: nginx import: ${n} warning${n === 1 ? '' : 's'} (directives ignored or approximated; the list is in .switchyard.warnings${logger.debug !== undefined ? ' and at debug level' : ''})`,
  );
  const detail = logger.debug !== undefined ? logger.debug.bind(logger) : logger.warn.bind(logger);
  for (const w of warnings) detail(`switchyard: nginx import: ${w}`);
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
