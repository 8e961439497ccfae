/** @module A map's source and values split into literal text, variables and captures, as nginx's complex values read `$name`, `${name}` and `$1`. */
import type { MapPart, MapTemplate } from './map-types.js';

/** Thrown for a malformed value; the caller adds the field. */
export class MapTemplateError extends Error {}

/** Split `text` once; `$1`-`$9` (and `$0`) are captures, any other `$name` a variable. */
export function parseMapTemplate(text: string): MapTemplate {
  const parts: MapPart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, dollar);
    let name: string;
    if (text[dollar + 1] === '{') {
      const close = text.indexOf('}', dollar + 2);
      if (close === -1) throw new MapTemplateError(`has "\${" without a closing "}" in ${JSON.stringify(text)}`);
      name = text.slice(dollar + 2, close);
      i = close + 1;
    } else if (/\d/.test(text[dollar + 1] ?? '')) {
      name = text[dollar + 1] as string;
      i = dollar + 2;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(text.slice(dollar + 1));
      // nginx: `invalid variable name` for a `$` not followed by one.
      if (m === null) throw new MapTemplateError(`has "$" without a variable name in ${JSON.stringify(text)}`);
      name = m[0];
      i = dollar + 1 + name.length;
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new MapTemplateError(`has an invalid variable name "\${${name}}"`);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(/^\d$/.test(name) ? { capture: Number(name) } : { variable: name });
  }
  if (literal !== '') parts.push(literal);
  return { text, parts };
}

/** The literal text of a template without variables or captures, `undefined` when it has some. */
export function literalText(t: MapTemplate): string | undefined {
  if (t.parts.length === 0) return '';
  if (t.parts.length === 1 && typeof t.parts[0] === 'string') return t.parts[0];
  return undefined;
}
