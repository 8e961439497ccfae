/** @module Groups nginx tokens into directives and blocks (syntax only: no directive is interpreted here). */
import { NginxParseError } from '../errors.js';
import { tokenize, type Position, type Token, type WordToken } from './tokenizer.js';

/** One nginx directive: `name arg...;` or `name arg... { ... }`. */
export interface Directive extends Position {
  readonly name: string;
  readonly nameToken: WordToken;
  readonly args: readonly WordToken[];
  /** The children when the directive opens a block, `undefined` for `name ...;`. */
  readonly block: readonly Directive[] | undefined;
}

/**
 * Directive names that, met as an argument on a later line than the previous
 * word, almost surely mean a `;` was forgotten (`server a:1\n server b:2;`).
 * nginx itself would report a confusing "invalid parameter"; naming the missing
 * `;` where it belongs is kinder.
 */
const LIKELY_DIRECTIVES = new Set([
  'server',
  'upstream',
  'location',
  'proxy_pass',
  'proxy_next_upstream',
  'proxy_next_upstream_tries',
  'proxy_next_upstream_timeout',
  'proxy_connect_timeout',
  'proxy_read_timeout',
  'proxy_send_timeout',
  'proxy_set_header',
  'proxy_http_version',
  'least_conn',
  'ip_hash',
  'hash',
  'random',
  'least_time',
  'keepalive',
  'keepalive_timeout',
  'keepalive_requests',
  'zone',
  'listen',
  'server_name',
  'root',
  'return',
  'try_files',
  'http',
  'events',
  'include',
  'index',
  'alias',
  'rewrite',
]);

/**
 * Deepest block nesting read. Real files nest a handful of levels (http > server > location >
 * location > if); the cap keeps a hostile file from exhausting the stack (the reader recurses).
 */
export const MAX_BLOCK_DEPTH = 64;

/** Parse nginx text into a directive tree; syntax errors throw `NginxParseError` with line and column. */
export function parseSyntaxTree(text: string, file?: string): Directive[] {
  const tokens = tokenize(text, file);
  const error = (message: string, line: number, column: number): NginxParseError => new NginxParseError(message, line, column, file);
  let k = 0;
  let depth = 0;

  const readBlock = (opener: { name: string; at: Position } | undefined): Directive[] => {
    if (opener !== undefined && ++depth > MAX_BLOCK_DEPTH) {
      throw error(`"${opener.name}" block nested deeper than ${MAX_BLOCK_DEPTH} levels`, opener.at.line, opener.at.column);
    }
    const out: Directive[] = [];
    for (;;) {
      const tok = tokens[k];
      if (tok === undefined) {
        if (opener) {
          throw error(`unexpected end of file, expecting "}" to close the "${opener.name}" block opened here`, opener.at.line, opener.at.column);
        }
        return out;
      }
      if (tok.type === '}') {
        if (!opener) throw error('unexpected "}" (no block is open)', tok.line, tok.column);
        k++;
        depth--;
        return out;
      }
      if (tok.type !== 'word') throw error(`unexpected "${tok.type}"`, tok.line, tok.column);
      out.push(readDirective(tok));
    }
  };

  const readDirective = (nameToken: WordToken): Directive => {
    k++;
    const args: WordToken[] = [];
    let prev: WordToken = nameToken;
    for (;;) {
      const tok: Token | undefined = tokens[k];
      if (tok === undefined) {
        throw error(`unexpected end of file, expecting ";" or "{" after "${nameToken.value}" directive`, nameToken.line, nameToken.column);
      }
      if (tok.type === 'word') {
        if (!tok.quoted && tok.line > prev.end.line && LIKELY_DIRECTIVES.has(tok.value)) {
          throw error(`missing ";" after "${prev.value}"`, prev.end.line, prev.end.column);
        }
        args.push(tok);
        prev = tok;
        k++;
        continue;
      }
      if (tok.type === '}') {
        throw error(`unexpected "}": directive "${nameToken.value}" is missing its ";"`, tok.line, tok.column);
      }
      k++;
      const base = { name: nameToken.value, nameToken, args, line: nameToken.line, column: nameToken.column, ...(file === undefined ? {} : { file }) };
      if (tok.type === ';') return { ...base, block: undefined };
      return { ...base, block: readBlock({ name: nameToken.value, at: tok }) };
    }
  };

  return readBlock(undefined);
}
