/** @module Warnings collected while importing an nginx file, each of one kind (harmless, or changes what reaches the app), and the one way to stop on an error. */
import { NginxParseError } from '../errors.js';
import type { ImportNote, ImportNoteKind } from '../types.js';
import type { Position } from './tokenizer.js';

/** Throw an `NginxParseError` at `at`. */
export function fail(at: Position, message: string): never {
  throw new NginxParseError(message, at.line, at.column, at.file);
}

interface Entry {
  file: string;
  line: number;
  column: number;
  seq: number;
  kind: ImportNoteKind;
  text: string;
}

/**
 * Warnings in the form `line 12: "gzip" ignored (switchyard does not compress responses: ...)` (`conf.d/app.conf line 3: ...` in an included file), returned in line order.
 * Each is `'harmless'` (switchyard does here what nginx does, or the directive is about nginx's own
 * process) or `'changes'` (a request or a response differs from nginx's: the text says what to do).
 * A `'changes'` note is the default, so that a warning nobody classified is never taken for harmless.
 * Strict, the first `'changes'` note throws instead (at its line).
 */
export class ImportNotes {
  readonly #strict: boolean;
  #notes: Entry[] = [];

  constructor(options: { strict?: boolean } = {}) {
    this.#strict = options.strict === true;
  }

  warn(at: Position, text: string, kind: ImportNoteKind = 'changes'): void {
    const file = at.file ?? '';
    this.#add({ file, line: at.line, column: at.column, seq: this.#notes.length, kind, text });
  }

  /** The usual shape: the directive as written (name, or name and first argument) and why it has no effect. */
  ignored(at: Position, what: string, reason: string, kind: ImportNoteKind = 'changes'): void {
    this.warn(at, `"${what}" ignored (${reason})`, kind);
  }

  /** Take over the warnings collected in `other` (kept apart while it was unsure they matter). */
  absorb(other: ImportNotes): void {
    for (const n of other.#notes) this.#add({ ...n, seq: this.#notes.length });
  }

  #add(n: Entry): void {
    if (this.#strict && n.kind === 'changes') {
      throw new NginxParseError(`${n.text} (strict: true refuses what changes what reaches the app)`, n.line, n.column, n.file === '' ? undefined : n.file);
    }
    this.#notes.push(n);
  }

  /** The notes in order: the main text's first, in line order; then each included file's, file by file. */
  entries(): ImportNote[] {
    const byFile = (a: string, b: string): number => (a === b ? 0 : a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1);
    return [...this.#notes]
      .sort((a, b) => byFile(a.file, b.file) || a.line - b.line || a.seq - b.seq)
      .map((n) => ({ ...(n.file === '' ? {} : { file: n.file }), line: n.line, kind: n.kind, text: n.text }));
  }

  /** The texts with their place: `line 12: ...` or `conf.d/app.conf line 3: ...`. */
  list(): string[] {
    return this.entries().map((n) => `${n.file === undefined ? '' : `${n.file} `}line ${n.line}: ${n.text}`);
  }
}
