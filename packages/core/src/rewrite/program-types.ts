/** @module The compiled form of nginx's rewrite module and file directives: what `resolveLocation` builds and the request engine runs. */

/** A piece of a value: literal text, or a variable (`uri`, `http_host`, `1` for a capture...). */
export type TemplatePart = string | { readonly variable: string };

/** A value with nginx variables (`/new/$1?x=$arg_x`), split once at configuration time. */
export interface Template {
  /** As written. */
  readonly text: string;
  readonly parts: readonly TemplatePart[];
}

/** nginx `if (...)`: the forms ngx_http_rewrite_module reads. */
export type Condition =
  /** `if ($var)`: true unless empty or "0". */
  | { readonly kind: 'truthy'; readonly value: Template }
  /** `=` / `!=`: string comparison. */
  | { readonly kind: 'equals'; readonly value: Template; readonly text: Template; readonly negate: boolean }
  /** `~`, `~*`, `!~`, `!~*`: a regex; a match sets the captures `$1`... */
  | { readonly kind: 'regex'; readonly value: Template; readonly regex: RegExp; readonly negate: boolean }
  /** `-f`, `-d`, `-e` and their `!` forms: a file test (asynchronous: the request goes through `resolveFiles`). */
  | { readonly kind: 'file'; readonly test: 'f' | 'd' | 'e'; readonly negate: boolean; readonly path: Template };

export type RewriteFlag = 'last' | 'break' | 'redirect' | 'permanent';

/** One compiled step of the rewrite module. */
export type Step =
  | {
      readonly kind: 'rewrite';
      readonly regex: RegExp;
      readonly to: Template;
      readonly flag: RewriteFlag | undefined;
      /** The replacement starts with `http://`, `https://` or `$scheme`: a redirect whatever the flag. */
      readonly absolute: boolean;
    }
  | { readonly kind: 'return'; readonly status: number; readonly url?: Template | undefined; readonly body?: Template | undefined }
  | { readonly kind: 'set'; readonly name: string; readonly value: Template }
  | { readonly kind: 'break' }
  | { readonly kind: 'if'; readonly condition: Condition; readonly then: readonly Step[] };

/** The steps of one level (a server, or a location). */
export interface CompiledProgram {
  readonly steps: readonly Step[];
}

/** The last entry of `tryFiles`. */
export type TryFallback =
  { readonly kind: 'status'; readonly status: number } | { readonly kind: 'named'; readonly name: string } | { readonly kind: 'uri'; readonly uri: Template };

/**
 * One `try_files` entry. As nginx's `test_dir`, what it tests is decided by the configured text,
 * never by the expanded value: an entry written with a final `/` (`$uri/`) must be a directory,
 * and `name` is the text without that slash; any other (`$uri`, even when the URI ends in `/`)
 * must be a regular file.
 */
export interface TryEntry {
  readonly name: Template;
  readonly dir: boolean;
}

/** nginx `root` / `alias` / `index` / `try_files` of a location. */
export interface LocationFiles {
  /** Exactly one of `root` and `alias`. */
  readonly root?: Template | undefined;
  readonly alias?: Template | undefined;
  readonly index: readonly string[];
  /** The entries tried before the fallback (`$uri`, `$uri/`...). */
  readonly tryFiles?: readonly TryEntry[] | undefined;
  readonly fallback?: TryFallback | undefined;
}

/** What a location answers itself (nginx's content other than proxy_pass), in nginx's phase order: rewrite, then return or files or proxy. */
export interface LocationContent {
  readonly rewrite?: CompiledProgram | undefined;
  /** The location's `return`, after its rewrite steps. */
  readonly return?: Extract<Step, { kind: 'return' }> | undefined;
  readonly files?: LocationFiles | undefined;
}
