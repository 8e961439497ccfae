/** @module Turns whatever createSwitchyard or an adapter was given (options, a parseNginxConfig result, or { nginx: text | path }) into plain options plus warnings. */
import { readConfigFile } from './read-config-file.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { NginxParseError, SwitchyardConfigError } from '../errors.js';
import type { ImportNote, NginxParseResult, SwitchyardInput, SwitchyardOptions } from '../types.js';
import { parseNginxConfig } from './parse-nginx-config.js';

/**
 * Normalise the accepted inputs:
 * - plain `SwitchyardOptions` pass through with no warnings;
 * - a `parseNginxConfig` result (`{ options, warnings }`) is unwrapped;
 * - `{ nginx }` is parsed: the string is nginx text when it holds a `{`, a `;`
 *   or a line break (no file path does in practice), otherwise the path of a
 *   file to read (relative to the working directory). `strict: true` and `prefix` next to it
 *   are `parseNginxConfig`'s. Other keys given next to
 *   `nginx` (`status`, `trustProxy`, `metrics`) are laid over the parsed options.
 *
 * Throws `SwitchyardConfigError` (path `nginx`) for a file that cannot be read,
 * is not a regular file or is larger than `MAX_NGINX_FILE_BYTES` (1 MiB), naming the resolved path, and `NginxParseError` for a file nginx would reject
 * (the message then starts with the file path).
 */
export function toSwitchyardOptions(input: SwitchyardInput): { options: SwitchyardOptions; warnings: string[]; notes: ImportNote[] } {
  if (input === null || typeof input !== 'object') {
    throw new SwitchyardConfigError('', `options must be an object, got ${input === null ? 'null' : typeof input}`);
  }
  if ('nginx' in input) {
    const { nginx, strict, prefix, ...rest } = input as { nginx: unknown; strict?: unknown; prefix?: unknown } & Partial<SwitchyardOptions>;
    if (typeof nginx !== 'string' || nginx.trim() === '') {
      throw new SwitchyardConfigError('nginx', 'must be nginx configuration text or the path of an nginx file');
    }
    if (strict !== undefined && typeof strict !== 'boolean') throw new SwitchyardConfigError('strict', `must be true or false, got ${typeof strict}`);
    if (prefix !== undefined && (typeof prefix !== 'string' || !isAbsolute(prefix))) {
      throw new SwitchyardConfigError('prefix', `must be an absolute directory (nginx's -p), got ${JSON.stringify(prefix)}`);
    }
    const how = { strict: strict === true, ...(prefix !== undefined ? { prefix } : {}) };
    const parsed = looksLikeText(nginx) ? parseNginxConfig(nginx, how) : parseFile(nginx, how);
    return { options: { ...parsed.options, ...rest }, warnings: parsed.warnings, notes: parsed.notes ?? [] };
  }
  if (isParseResult(input)) return { options: input.options, warnings: [...input.warnings], notes: notesOf(input) };
  return { options: input, warnings: [], notes: [] };
}

function looksLikeText(s: string): boolean {
  return s.includes('{') || s.includes(';') || s.includes('\n');
}

function isParseResult(input: SwitchyardInput): input is NginxParseResult {
  const r = input as Partial<NginxParseResult>;
  return 'options' in input && 'warnings' in input && Array.isArray(r.warnings) && typeof r.options === 'object' && r.options !== null;
}

/** A result built by hand may have `warnings` only: each is then taken as one that changes something (line unknown, 0). */
function notesOf(input: NginxParseResult): ImportNote[] {
  if (Array.isArray(input.notes) && input.notes.length === input.warnings.length) return input.notes.map((n) => ({ ...n }));
  return input.warnings.map((text) => ({ line: 0, kind: 'changes', text: String(text) }));
}

function parseFile(path: string, how: { strict: boolean; prefix?: string }): NginxParseResult {
  const full = resolve(path);
  let text: string;
  try {
    text = readConfigFile(full);
  } catch (err) {
    if (err instanceof SwitchyardConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((err as Error).message);
    throw new SwitchyardConfigError('nginx', `file "${full}" cannot be read: ${why}`);
  }
  try {
    // Files named inside (proxy_ssl_certificate ...) are relative to the nginx file's directory.
    return parseNginxConfig(text, { baseDir: dirname(full), ...how });
  } catch (err) {
    if (err instanceof NginxParseError && err.file !== undefined) {
      // In an included file: the error names that file already; make the name absolute like the main file's.
      const bare = err.message.replace(/ \(line \d+, column \d+\)$/, '').slice(err.file.length + 2);
      throw new NginxParseError(bare, err.line, err.column, isAbsolute(err.file) ? err.file : resolve(dirname(full), err.file));
    }
    if (err instanceof NginxParseError) {
      const bare = err.message.replace(/ \(line \d+, column \d+\)$/, '');
      throw new NginxParseError(`${full}: ${bare}`, err.line, err.column);
    }
    throw err;
  }
}
