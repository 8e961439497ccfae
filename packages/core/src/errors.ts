/** @module The core's error classes, each with a stable `code`. */

/** Base class of every error switchyard throws on purpose. */
export class SwitchyardError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchyardError';
    this.code = code;
  }
}

/** Invalid configuration; `path` names the offending field, e.g. `upstreams.api.servers[1].weight`. */
export class SwitchyardConfigError extends SwitchyardError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('SWITCHYARD_INVALID_CONFIG', path ? `${path} ${message}` : message);
    this.name = 'SwitchyardConfigError';
    this.path = path;
  }
}

/** An nginx configuration that cannot be read; `line` and `column` are 1-based. */
export class NginxParseError extends SwitchyardError {
  readonly line: number;
  readonly column: number;
  /** The file the error is in when that is not the main text: the path of an included file. */
  readonly file: string | undefined;
  constructor(message: string, line: number, column: number, file?: string) {
    super('SWITCHYARD_NGINX_PARSE', `${file === undefined ? '' : `${file}: `}${message} (line ${line}, column ${column})`);
    this.name = 'NginxParseError';
    this.line = line;
    this.column = column;
    this.file = file;
  }
}

/** A runtime-control call naming an upstream or server that does not exist, or a duplicate. */
export class SwitchyardLookupError extends SwitchyardError {
  constructor(message: string) {
    super('SWITCHYARD_NOT_FOUND', message);
    this.name = 'SwitchyardLookupError';
  }
}
