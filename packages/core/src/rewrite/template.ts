/** @module nginx variables in rewrite-module values (`/new/$1?x=$arg_x`, `${host}`): split once, expanded per request. */
import type { Template, TemplatePart } from './program-types.js';

/** Variables every request has (besides `$http_NAME`, `$cookie_NAME`, `$arg_NAME`, captures `$0`-`$9` and names given to `set`). */
export const BUILTIN_VARIABLES = [
  'uri',
  'document_uri',
  'request_uri',
  'args',
  'query_string',
  'is_args',
  'host',
  'scheme',
  'server_name',
  'request_method',
  'remote_addr',
  'request_filename',
  'document_root',
] as const;

const PREFIXED = /^(?:http|cookie|arg)_[A-Za-z0-9_]+$/;

/** A variable switchyard can give a value to, or `set` names. */
export function isKnownVariable(name: string, setNames: ReadonlySet<string>): boolean {
  return /^\d$/.test(name) || (BUILTIN_VARIABLES as readonly string[]).includes(name) || PREFIXED.test(name) || setNames.has(name);
}

/** Thrown for an unknown or malformed variable; the caller adds the field. */
export class TemplateError extends Error {}

/** Split `text` into literal parts and variables, as nginx's script compiler reads `$name` and `${name}`. */
export function compileTemplate(text: string, setNames: ReadonlySet<string>): Template {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    let name: string;
    if (text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end === -1) throw new TemplateError(`the variable at "${text.slice(i)}" has no closing "}"`);
      name = text.slice(i + 2, end);
      i = end + 1;
    } else if (/\d/.test(text[i + 1] ?? '')) {
      name = text[i + 1] as string;
      i += 2;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(text.slice(i + 1));
      if (m === null) throw new TemplateError(`"$" without a variable name in "${text}"`);
      name = m[0];
      i += 1 + name.length;
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new TemplateError(`invalid variable name "${name}"`);
    if (!isKnownVariable(name, setNames)) throw new TemplateError(`unknown variable "$${name}"`);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ variable: name });
  }
  if (literal !== '') parts.push(literal);
  return { text, parts };
}

/** The literal text of a template without variables, `undefined` when it has some. */
export function literalOf(t: Template): string | undefined {
  if (t.parts.length === 0) return '';
  if (t.parts.length === 1 && typeof t.parts[0] === 'string') return t.parts[0];
  return undefined;
}

/** Expand with `lookup` (an unknown or absent value is empty, as nginx's not-found variables). */
export function expand(t: Template, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (const p of t.parts) out += typeof p === 'string' ? p : (lookup(p.variable) ?? '');
  return out;
}
