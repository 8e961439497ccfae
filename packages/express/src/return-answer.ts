/** @module A virtual host's server-level `return` written to the response: its status, Location and text. */
import type { ServerResponse } from 'node:http';
import { closeWithoutAnswer, type ReturnRoute } from '@switchyard/core';

export function sendReturn(res: ServerResponse, route: ReturnRoute): void {
  const { status, location, body } = route.return;
  if (status === 444) return closeWithoutAnswer(res);
  const headers: Record<string, string | number> = { 'content-length': body === undefined ? 0 : Buffer.byteLength(body) };
  if (location !== undefined) headers.location = location;
  if (body !== undefined) headers['content-type'] = 'text/plain';
  res.writeHead(status, headers);
  res.end(body);
}
