/** @module The server block every scenario's locations sit in (listening where the harness says). */

/** `server { listen {{listen}}; server_name localhost; BODY }`. */
export function site(body: string): string {
  return `server {\n    listen {{listen}};\n    server_name localhost;\n${body}\n}`;
}
