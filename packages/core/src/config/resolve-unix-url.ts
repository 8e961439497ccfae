/** @module `unix:/path` server urls (nginx's `server unix:/run/app.sock;`): the socket file's absolute path, kept as written. */
import { describe, fail } from './describe.js';

/** Linux's sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Validate `unix:/abs/path` and return it as pools store it (`unix:` lower-cased, the path as
 * written: it is also the server's name for hashing and sticky values, as in nginx).
 *
 * @example resolveUnixUrl('unix:/run/app.sock', 'upstreams.app.servers[0]') // 'unix:/run/app.sock'
 */
export function resolveUnixUrl(text: string, path: string): string {
  const socketPath = text.slice('unix:'.length);
  const expected = "must be 'unix:' followed by the socket file's absolute path, like 'unix:/run/app.sock'";
  if (!socketPath.startsWith('/')) fail(path, `${expected}, got ${describe(text)}`);
  if (/[\s\0?#]/.test(socketPath)) fail(path, `${expected} (no spaces, '?' or '#'), got ${describe(text)}`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    fail(path, `${expected}: the path is ${Buffer.byteLength(socketPath)} bytes, above the ${MAX_SOCKET_PATH_BYTES} a unix socket address holds`);
  }
  return `unix:${socketPath}`;
}

/** The socket file of a `unix:` server url, or undefined for any other url. */
export function unixSocketPath(url: string): string | undefined {
  return url.startsWith('unix:') ? url.slice('unix:'.length) : undefined;
}
