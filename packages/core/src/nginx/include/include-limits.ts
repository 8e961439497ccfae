/** @module Bounds of the nginx `include` expansion: a cycle or a hostile tree of includes ends with an error, not a hung or exhausted process. */

/** Deepest chain of includes read (nginx has none; a file that includes itself would recurse forever). */
export const MAX_INCLUDE_DEPTH = 8;

/** Most files one configuration may include in all (Debian's default layout reads a handful). */
export const MAX_INCLUDED_FILES = 256;

/** Most bytes read through includes in all, beside the main file's own 1 MiB. */
export const MAX_INCLUDED_BYTES = 4 * 1024 * 1024;
