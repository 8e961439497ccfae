/** @module Warnings collected while importing an nginx file, and the one way to stop on an error. */
import { NginxParseError } from '../errors.js';
import type { Position } from './tokenizer.js';

/** Throw an `NginxParseError` at `at`. */
export function fail(at: Position, message: string): never {
  throw new NginxParseError(message, at.line, at.column, at.file);
}

/** Warnings in the form `line 12: "server_name" ignored (not about load balancing)` (`conf.d/app.conf line 3: ...` in an included file), returned in line order. */
export class ImportNotes {
  #notes: Array<{ file: string; line: number; seq: number; text: string }> = [];

  warn(at: Position, text: string): void {
    const file = at.file ?? '';
    this.#notes.push({ file, line: at.line, seq: this.#notes.length, text: `${file === '' ? '' : `${file} `}line ${at.line}: ${text}` });
  }

  /** The usual shape: the directive as written (name, or name and first argument) and why it has no effect. */
  ignored(at: Position, what: string, reason: string): void {
    this.warn(at, `"${what}" ignored (${reason})`);
  }

  /** Take over the warnings collected in `other` (kept apart while it was unsure they matter). */
  absorb(other: ImportNotes): void {
    for (const n of other.#notes) this.#notes.push({ ...n, seq: this.#notes.length });
  }

  list(): string[] {
    // The main text's warnings first, in line order; then each included file's, file by file.
    const byFile = (a: string, b: string): number => (a === b ? 0 : a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1);
    return [...this.#notes].sort((a, b) => byFile(a.file, b.file) || a.line - b.line || a.seq - b.seq).map((n) => n.text);
  }
}
