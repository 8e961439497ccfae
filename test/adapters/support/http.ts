/** @module Plain node:http client calls for the scenario tests (a fresh connection each, so nothing lingers). */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Raw body bytes. */
  bytes: Buffer;
}

export interface CallOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Written one by one after the head (set `transfer-encoding: chunked` to send them as chunks). */
  parts?: Array<string | Buffer>;
}

/** One HTTP request; resolves with the whole answer (bounded by the test timeout). */
export function call(url: string, options: CallOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Node frames DELETE/OPTIONS bodies only with an explicit length.
    const headers = options.body === undefined ? options.headers : { 'content-length': Buffer.byteLength(options.body), ...options.headers };
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    for (const part of options.parts ?? []) req.write(part);
    req.end(options.body);
  });
}

/** GET `count` times in sequence; returns the bodies. */
export async function bodies(url: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push((await call(url)).body);
  return out;
}

/** Waits until `check()` is true, polling every 20 ms, at most `ms` (then throws). */
export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
