/** @module Warnings collected while importing an nginx file, and the one way to stop on an error. */
import { NginxParseError } from '../errors.js';
import type { Position } from './tokenizer.js';

/** Throw an `NginxParseError` at `at`. */
export function fail(at: Position, message: string): never {
  throw new NginxParseError(message, at.line, at.column);
}

/** Warnings in the form `line 12: "server_name" ignored (not about load balancing)`, returned in line order. */
export class ImportNotes {
  #notes: Array<{ line: number; seq: number; text: string }> = [];

  warn(at: Position, text: string): void {
    this.#notes.push({ line: at.line, seq: this.#notes.length, text: `line ${at.line}: ${text}` });
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
    return [...this.#notes].sort((a, b) => a.line - b.line || a.seq - b.seq).map((n) => n.text);
  }
}
