/** @module Sends one corpus case to a listening side (http or https, any Host, an announced or sent body) and reduces the answer to a View. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CorpusCase, Expected, View } from './corpus-config.js';

const REQUEST_LIMIT_MS = 15_000;
const BODY_LIMIT = 64 * 1024;

/** `tls`: the side is nginx's `listen ... ssl` (a self-signed certificate, not verified). */
export function send(port: number, tls: boolean, c: CorpusCase): Promise<View> {
  return new Promise<View>((resolve, reject) => {
    const headers: Record<string, string> = { host: c.host ?? 'localhost', connection: 'close' };
    if (c.bodyBytes !== undefined) headers['content-length'] = String(c.bodyBytes);
    const options = { host: '127.0.0.1', port, method: c.method ?? 'GET', path: c.path, headers, agent: false as const };
    const req = tls ? httpsRequest({ ...options, rejectUnauthorized: false, servername: headers.host }) : httpRequest(options);
    let settled = false;
    const done = (view: View | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (view instanceof Error) reject(view);
      else resolve(view);
    };
    const timer = setTimeout(() => done(new Error(`${c.name}: no answer within ${REQUEST_LIMIT_MS} ms`)), REQUEST_LIMIT_MS);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= BODY_LIMIT) chunks.push(chunk);
      });
      const finish = (): void => done(view(res, Buffer.concat(chunks).toString('utf8')));
      res.on('end', finish);
      // An answer before the announced body was sent (413) ends with the connection closed.
      res.on('aborted', finish);
      res.on('error', finish);
    });
    // A connection closed without an answer: nginx's `return 444`.
    req.on('error', () => done({ status: 0 }));
    if (c.bodyBytes !== undefined && c.send === true) req.end(Buffer.alloc(c.bodyBytes, 'a'));
    else if (c.bodyBytes !== undefined) req.flushHeaders();
    else req.end();
  });
}

function view(res: IncomingMessage, body: string): View {
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  return { status, ...(location !== undefined ? { location } : {}), ...(status === 200 ? { body } : {}) };
}

/** Whether `actual` is the answer `expected` describes. */
export function matches(expected: Expected, actual: View): boolean {
  if ('oneOf' in expected) return actual.status === expected.status && actual.location === undefined && expected.oneOf.includes(actual.body ?? '');
  return actual.status === expected.status && actual.location === expected.location && actual.body === expected.body;
}
