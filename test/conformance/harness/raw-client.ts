/** @module The suite's HTTP client: one request per connection written byte for byte (duplicate Host, header case), the answer read until the server closes. */
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body?: string;
  from?: string;
}

export interface RawAnswer {
  status: number;
  /** Lowercase names to values; repeated headers joined with ', ' (set-cookie with ' | '). */
  headers: Record<string, string>;
  body: string;
}

/** The answer of a server that closed the connection (FIN) without sending a byte (nginx's `return 444`). */
export const CLOSED_WITHOUT_ANSWER = 'closed without an answer';

/** A request in flight: `answer` settles when the server closes; `abort()` closes it from our side. */
export interface Sent {
  answer: Promise<RawAnswer | typeof CLOSED_WITHOUT_ANSWER>;
  abort(): void;
}

const CLIENT_TIMEOUT_MS = 5_000;

/** Sends `req` to 127.0.0.1:`port` over a new connection (which asks the server to close after the answer). */
export function send(port: number, req: RawRequest): Sent {
  let socket: Socket | undefined;
  const answer = new Promise<RawAnswer | typeof CLOSED_WITHOUT_ANSWER>((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket = connect({ host: '127.0.0.1', port, localAddress: req.from });
    socket.setTimeout(CLIENT_TIMEOUT_MS, () => socket?.destroy(new Error(`no answer in ${CLIENT_TIMEOUT_MS} ms`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      if (chunks.length === 0) return resolve(CLOSED_WITHOUT_ANSWER);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
    const names = new Set(req.headers.map(([n]) => n.toLowerCase()));
    const head = [`${req.method} ${req.path} HTTP/1.1`];
    if (!names.has('host')) head.push('Host: localhost');
    for (const [n, v] of req.headers) head.push(`${n}: ${v}`);
    if (!names.has('connection')) head.push('Connection: close');
    if (req.body !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) head.push(`Content-Length: ${Buffer.byteLength(req.body)}`);
    socket.write(`${head.join('\r\n')}\r\n\r\n${req.body ?? ''}`);
  });
  return { answer, abort: () => socket?.destroy() };
}

function parse(all: Buffer): RawAnswer {
  // Interim answers (100 Continue to an Expect) come before the real one: skip them.
  let bytes = all;
  for (let i = 0; i < 5 && /^HTTP\/1\.[01] 1(?!01)\d\d /.test(bytes.subarray(0, 16).toString('latin1')); i++) {
    const interimEnd = bytes.indexOf('\r\n\r\n');
    if (interimEnd < 0) break;
    bytes = bytes.subarray(interimEnd + 4);
  }
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`bad status line ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers[name];
    headers[name] = prev === undefined ? value : `${prev}${name === 'set-cookie' ? ' | ' : ', '}${value}`;
  }
  let body = bytes.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  // Bounded by the data: each round consumes at least the size line.
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
