/** @module The shape of one corpus entry: a published nginx config, how it is localised for the tests, and what nginx answers to every path it names. */

/** What a client sees, reduced to what the corpus compares. */
export interface View {
  /** 0: the connection was closed without an answer (nginx's `return 444`). */
  readonly status: number;
  readonly location?: string;
  /**
   * The body of a 2xx answer: a backend answers `"<name> <url it received>"`, a static file its
   * contents. Not compared for other statuses (nginx's and the frameworks' error pages differ).
   */
  readonly body?: string;
}

/** An expected answer: a View, or one of several backends (a balanced upstream whose pick the corpus does not fix). */
export type Expected =
  | View
  | {
      readonly status: number;
      readonly oneOf: readonly string[];
      /** The adapters must pick the backend nginx picked (a hash, which switchyard computes as nginx does). */
      readonly sameAsNginx?: boolean;
    };

export interface CorpusCase {
  /** Unique in the corpus: `<config>: <what>`; the AWAITING lists name cases by it. */
  readonly name: string;
  /** The nginx listening side the request goes to (default: the config's `side`). */
  readonly side?: 'http' | 'https';
  readonly host?: string;
  readonly method?: string;
  readonly path: string;
  /** Bytes of body: sent when `send` is true, else only announced in Content-Length (nginx and switchyard answer 413 before reading). */
  readonly bodyBytes?: number;
  readonly send?: boolean;
  /** nginx's answer (checked against real nginx): the expectation for both adapters. */
  readonly expect: Expected;
}

export interface CorpusConfig {
  /** Directory under test/fixtures/nginx-corpus/. */
  readonly name: string;
  /** The fixture file in that directory, verbatim from its source. */
  readonly file: string;
  /** Where it comes from (repository, path, commit, or URL). */
  readonly source: string;
  /** A whole nginx.conf (main context, `events`, `http`), else the contents of `http {}` (a site file). */
  readonly whole?: boolean;
  /** The backends the localised config points at: TCP on 127.0.0.1 port 0, or a unix socket in the temp directory. */
  readonly backends: Readonly<Record<string, 'tcp' | 'unix'>>;
  /**
   * The localisation, applied in order, each `from` must occur in the file: a literal text and what
   * it becomes. Placeholders: `{{http}}` / `{{https}}` (nginx's listening address per side),
   * `{{backend:NAME}}` (`127.0.0.1:PORT` or `unix:/tmp/.../NAME.sock`), `{{static}}` (the fixture's
   * static/ directory), `{{fixture}}` (the fixture directory), `{{dir}}` (the temp directory),
   * `{{cert}}` / `{{key}}` / `{{dhparam}}` (generated with openssl into it).
   */
  readonly localise: ReadonlyArray<readonly [from: string, to: string, why: string]>;
  /** The listening side switchyard stands for (it has one): the side that proxies. */
  readonly side: 'http' | 'https';
  /** nginx itself refuses to start on the config, with this message (the import must refuse it too: `refused`). */
  readonly nginxRefuses?: RegExp;
  /** The import refuses the config, with this message, for a reason given in `refusedBecause`. */
  readonly refused?: RegExp;
  readonly refusedBecause?: string;
  /** Files copied to nginx's default root (`html` under its prefix) for a config that sets no `root`. */
  readonly defaultRoot?: boolean;
  /** For the import of the file as published (the docs table): `include` names and the file each stands for (relative to the fixture directory, or absolute). */
  readonly includes?: Readonly<Record<string, string>>;
  /** What the operator still does by hand after the import (the docs table). */
  readonly byHand: string;
  readonly cases: readonly CorpusCase[];
}

/** `"<name> <url>"`: what a backend answers. */
export function app(name: string, url: string): View {
  return { status: 200, body: `${name} ${url}` };
}

export function file(body: string): View {
  return { status: 200, body };
}
