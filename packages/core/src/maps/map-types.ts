/** @module The compiled form of `maps` (nginx `map` blocks): what the resolver builds and the variable evaluators (proxied headers, rewrite steps, access log) read. */

/** A piece of a map's source or value: literal text, a variable, or a capture (`$1`) of the regex entry that matched. */
export type MapPart = string | { readonly variable: string } | { readonly capture: number };

/** A source or value with its variables split out once. */
export interface MapTemplate {
  /** As written. */
  readonly text: string;
  readonly parts: readonly MapPart[];
}

/** One `maps` entry, validated. */
export interface ResolvedMap {
  /** The variable it defines, lower-case (nginx variable names are case-insensitive). */
  readonly name: string;
  /** The value looked up (nginx `map SOURCE $name`). */
  readonly source: MapTemplate;
  /** Exact keys, lower-case: nginx compares them case-insensitively. */
  readonly exact: ReadonlyMap<string, MapTemplate>;
  /** With `hostnames`: `*.example.com` and `.example.com` (as `example.com`), longest first wins. */
  readonly head: ReadonlyMap<string, MapTemplate>;
  /** With `hostnames`: `www.example.*` (as `www.example`). */
  readonly tail: ReadonlyMap<string, MapTemplate>;
  /** `~re` / `~*re` keys, tried in the order written after the exact and wildcard keys. */
  readonly regexes: readonly { readonly key: string; readonly regex: RegExp; readonly value: MapTemplate }[];
  readonly default: MapTemplate;
  readonly hostnames: boolean;
  /** nginx `volatile`: evaluated at every use instead of once per request. */
  readonly volatile: boolean;
  /** Where each variable of the source and values is written (`'source'`, `'default'`, `'values["https"]'`), for error messages. */
  readonly uses: ReadonlyMap<string, string>;
  /** A value that is not a regex entry's (or the source) uses `$1`...: nginx reads the request's last captures there. */
  readonly outerCaptures: string | undefined;
}

/** Every map by its lower-case name. */
export type ResolvedMaps = ReadonlyMap<string, ResolvedMap>;
