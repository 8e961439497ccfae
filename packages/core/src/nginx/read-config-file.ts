/** @module Reads the file of `{ nginx: path }` safely: a regular file only (fstat first: /dev/zero or a FIFO would never end), at most MAX_NGINX_FILE_BYTES. */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SwitchyardConfigError } from '../errors.js';

/** Largest nginx file `{ nginx: path }` reads: real configurations are a few KiB; pass the text itself (`{ nginx: text }`) for more. */
export const MAX_NGINX_FILE_BYTES = 1024 * 1024;

function kindOf(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  return 'something else';
}

/**
 * The UTF-8 text of the regular file at `full` (an absolute path). Throws a SwitchyardConfigError
 * (path `nginx`) naming the file for anything else, and system errors (ENOENT...) as they are.
 */
export function readConfigFile(full: string, maxBytes = MAX_NGINX_FILE_BYTES): string {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat could refuse it.
  const fd = openSync(full, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = kindOf(stat);
      throw new SwitchyardConfigError('nginx', `file "${full}" cannot be read: it is ${kind}${stat.isDirectory() ? '' : ', not a regular file'}`);
    }
    if (stat.size > maxBytes) {
      throw new SwitchyardConfigError(
        'nginx',
        `file "${full}" is ${stat.size} bytes, more than the ${maxBytes} bytes switchyard reads (pass the text as { nginx: text } instead)`,
      );
    }
    // Read at most one byte past the cap: the file may have grown since fstat.
    const buf = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buf.length) break;
    }
    if (length > maxBytes) {
      throw new SwitchyardConfigError('nginx', `file "${full}" is more than the ${maxBytes} bytes switchyard reads (pass the text as { nginx: text } instead)`);
    }
    return buf.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}
