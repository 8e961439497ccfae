/** @module Splits nginx configuration text into words and punctuation exactly as nginx's ngx_conf_read_token does, with 1-based line/column positions. */
import { NginxParseError } from '../errors.js';

/** A position in the source text (1-based). */
export interface Position {
  readonly line: number;
  readonly column: number;
  /** The included file this position is in (as its `include` named it); absent in the main text. */
  readonly file?: string;
}

/** A directive name or argument, unescaped. */
export interface WordToken extends Position {
  readonly type: 'word';
  readonly value: string;
  /** Written inside `"..."` or `'...'` (then it is never a directive name, `{` or `}`). */
  readonly quoted: boolean;
  /** Where the token ends (the column just after its last character). */
  readonly end: Position;
}

export interface PunctToken extends Position {
  readonly type: '{' | '}' | ';';
}

export type Token = WordToken | PunctToken;

const SPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * Tokenize nginx configuration text.
 *
 * nginx rules reproduced here (ngx_conf_file.c):
 * - `#` starts a comment only where a new token could start (`a#b` is one word);
 * - a word ends at whitespace, `;` or `{`, but not at `}` (so `${var}` stays one word)
 *   and not at the `{` of `${`;
 * - quotes open only at the start of a token, and after the closing quote only
 *   whitespace, `;`, `{` or `)` may follow;
 * - `\` protects the next character; when the word is stored, `\"`, `\'` and `\\`
 *   lose the backslash and `\t`, `\r`, `\n` become control characters, every
 *   other backslash is kept (regexes like `\.` survive).
 */
export function tokenize(text: string, file?: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const n = text.length;
  // Only tokens of an included file carry `file`: the main text's positions stay as they were.
  const where: { file?: string } = file === undefined ? {} : { file };

  const advance = (): string => {
    const ch = text[i++] as string;
    if (ch === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
    return ch;
  };

  while (i < n) {
    const ch = text[i] as string;
    if (SPACE.has(ch)) {
      advance();
      continue;
    }
    if (ch === '#') {
      while (i < n && text[i] !== '\n') advance();
      continue;
    }
    if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ type: ch, line, column, ...where });
      advance();
      continue;
    }
    const start: Position = { line, column };
    if (ch === '"' || ch === "'") {
      advance();
      let raw = '';
      let closed = false;
      while (i < n) {
        const c = advance();
        if (c === '\\' && i < n) {
          raw += c + advance();
          continue;
        }
        if (c === ch) {
          closed = true;
          break;
        }
        raw += c;
      }
      if (!closed) throw new NginxParseError(`unterminated quoted string starting with ${ch}`, start.line, start.column, file);
      const end: Position = { line, column };
      if (i < n) {
        const next = text[i] as string;
        if (!SPACE.has(next) && next !== ';' && next !== '{' && next !== ')') {
          throw new NginxParseError(`unexpected "${next}" after a quoted string (expecting a space, ";" or "{")`, line, column, file);
        }
      }
      tokens.push({ type: 'word', value: unescape(raw), quoted: true, line: start.line, column: start.column, end, ...where });
      continue;
    }
    let raw = '';
    let variable = false;
    while (i < n) {
      const c = text[i] as string;
      if (c === '{' && variable) {
        raw += advance();
        variable = false;
        continue;
      }
      variable = false;
      if (c === '\\') {
        raw += advance();
        if (i < n) raw += advance();
        continue;
      }
      if (SPACE.has(c) || c === ';' || c === '{') break;
      if (c === '$') variable = true;
      raw += advance();
    }
    tokens.push({ type: 'word', value: unescape(raw), quoted: false, line: start.line, column: start.column, end: { line, column }, ...where });
  }
  return tokens;
}

function unescape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k] as string;
    if (c !== '\\' || k + 1 >= raw.length) {
      out += c;
      continue;
    }
    const next = raw[k + 1] as string;
    if (next === '"' || next === "'" || next === '\\') {
      out += next;
      k++;
    } else if (next === 't') {
      out += '\t';
      k++;
    } else if (next === 'r') {
      out += '\r';
      k++;
    } else if (next === 'n') {
      out += '\n';
      k++;
    } else {
      out += c;
    }
  }
  return out;
}
