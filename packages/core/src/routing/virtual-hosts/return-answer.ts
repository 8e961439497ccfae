/** @module nginx's server-level `return code [url|text]`: the answer with `$host`, `$request_uri`, `$server_name`, `$scheme`, `$uri`, `$args` expanded. */
import type { ReturnRoute, ReturnOptions } from '../../types.js';
import { normalizePath } from '../normalize-path.js';
import { splitTarget } from '../request-target.js';

/** The variables a `return` may use; any other `$name` is refused when the configuration is read. */
export const RETURN_VARIABLES = ['host', 'request_uri', 'server_name', 'scheme', 'uri', 'args', 'is_args'] as const;

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** The variable names a `return` text uses that switchyard does not know (empty when all are known). */
export function unknownReturnVariables(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(VARIABLE)) {
    const name = (m[1] ?? m[2]) as string;
    if (!(RETURN_VARIABLES as readonly string[]).includes(name)) out.push(name);
  }
  return out;
}

/** What one request contributes to the variables. */
export interface ReturnContext {
  readonly url: string;
  /** The normalised host (`undefined` without a Host): `$host` is then the server name, as in nginx. */
  readonly host: string | undefined;
  readonly serverName: string;
  readonly scheme: 'http' | 'https';
}

/** The answer of a `return` for one request. */
export function returnAnswer(options: Readonly<ReturnOptions>, ctx: ReturnContext): ReturnRoute {
  const target = splitTarget(ctx.url);
  const rawPath = target?.rawPath ?? '/';
  const search = target?.search ?? '';
  const values: Record<(typeof RETURN_VARIABLES)[number], string> = {
    host: ctx.host ?? ctx.serverName,
    request_uri: rawPath + search,
    server_name: ctx.serverName,
    scheme: ctx.scheme,
    uri: normalizePath(rawPath) ?? rawPath,
    args: search.slice(1),
    is_args: search.length > 1 ? '?' : '',
  };
  const expand = (text: string): string =>
    text.replace(VARIABLE, (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as keyof typeof values;
      return Object.hasOwn(values, name) ? values[name] : whole;
    });
  const answer: { status: number; location?: string; body?: string } = { status: options.status };
  if (options.url !== undefined) answer.location = expand(options.url);
  if (options.body !== undefined) answer.body = expand(options.body);
  return { return: answer };
}
