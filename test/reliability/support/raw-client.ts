/** @module A raw-socket HTTP client that sends bytes a normal client refuses to (smuggling, obs-fold, slow headers) and parses what comes back. */
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface RawResponse {
  readonly status: number;
  /** Header lines in order, names lower-cased. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** The body ended before its announced length (or chunked end) because the connection closed. */
  readonly truncated: boolean;
}

export interface RawExchange {
  /** Every byte received. */
  readonly data: Buffer;
  /** Responses parsed from `data`, in order. */
  readonly responses: RawResponse[];
  /** The server closed the connection (FIN or RST) before we gave up waiting. */
  readonly closed: boolean;
  /** A socket error (ECONNRESET, EPIPE...), if any. */
  readonly error: string | undefined;
}

export interface RawSendOptions {
  /** Pause between the pieces of `chunks` (ms). Default 0. */
  pauseMs?: number;
  /** Stop waiting once this many complete responses arrived (the socket is then closed). Default: wait for close. */
  responses?: number;
  /** Give up after this long in total (ms). Default 5000. */
  maxMs?: number;
  /** Half-close after the last piece. Default false. */
  endAfterWrite?: boolean;
}

/** First value of a header (lower-case name). */
export function headerValue(res: RawResponse, name: string): string | undefined {
  return res.headers.find(([n]) => n === name)?.[1];
}

/**
 * Open a connection to 127.0.0.1:`port`, write `chunks` (pausing between them), and collect the
 * answer until `responses` complete responses arrived, the server closed, or `maxMs` passed.
 */
export async function rawSend(port: number, chunks: string | Buffer | ReadonlyArray<string | Buffer>, options: RawSendOptions = {}): Promise<RawExchange> {
  const pieces = typeof chunks === 'string' || Buffer.isBuffer(chunks) ? [chunks] : chunks;
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  let closed = false;
  let error: string | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(finish, options.maxMs ?? 5000);
  socket.on('data', (chunk: Buffer) => {
    received.push(chunk);
    if (options.responses !== undefined && parseResponses(Buffer.concat(received), false).filter((r) => !r.truncated).length >= options.responses) finish();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    error = err.code ?? err.message;
  });
  socket.on('close', () => {
    closed = true;
    finish();
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  for (let i = 0; i < pieces.length; i++) {
    if (closed) break;
    const piece = pieces[i];
    if (piece !== undefined && socket.writable) socket.write(piece);
    if (options.pauseMs && i < pieces.length - 1) {
      await Promise.race([delay(options.pauseMs), done]);
    }
  }
  if (options.endAfterWrite && socket.writable) socket.end();
  await done;
  clearTimeout(timer);
  socket.destroy();
  const data = Buffer.concat(received);
  return { data, responses: parseResponses(data, true), closed, error };
}

/** Split `data` into responses; when `atClose`, a last incomplete body is reported as truncated. */
export function parseResponses(data: Buffer, atClose: boolean): RawResponse[] {
  const out: RawResponse[] = [];
  let pos = 0;
  while (pos < data.length) {
    const end = data.indexOf('\r\n\r\n', pos);
    if (end === -1) break;
    const lines = data.subarray(pos, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines.shift() ?? '');
    if (m === null) break;
    const status = Number(m[1]);
    const headers = lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
    });
    const bodyStart = end + 4;
    if (status < 200 && status !== 101) {
      pos = bodyStart;
      continue;
    }
    const cl = headers.find(([n]) => n === 'content-length')?.[1];
    const te = headers.find(([n]) => n === 'transfer-encoding')?.[1];
    if (status === 101 || status === 204 || status === 304) {
      out.push({ status, headers, body: Buffer.alloc(0), truncated: false });
      pos = bodyStart;
      if (status === 101) break;
      continue;
    }
    if (te !== undefined && te.toLowerCase().includes('chunked')) {
      const chunks: Buffer[] = [];
      let p = bodyStart;
      let complete = false;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', p);
        if (lineEnd === -1) break;
        const size = parseInt(data.subarray(p, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) break;
        p = lineEnd + 2;
        if (size === 0) {
          const trailerEnd = data.indexOf('\r\n', p);
          if (trailerEnd === -1) break;
          p = trailerEnd + 2;
          complete = true;
          break;
        }
        if (data.length < p + size + 2) {
          chunks.push(data.subarray(p, Math.min(data.length, p + size)));
          p = data.length;
          break;
        }
        chunks.push(data.subarray(p, p + size));
        p += size + 2;
      }
      if (!complete && !atClose) {
        out.push({ status, headers, body: Buffer.concat(chunks), truncated: true });
        break;
      }
      out.push({ status, headers, body: Buffer.concat(chunks), truncated: !complete });
      pos = p;
      if (!complete) break;
      continue;
    }
    if (cl !== undefined) {
      const length = Number(cl);
      const available = Math.min(length, data.length - bodyStart);
      out.push({ status, headers, body: data.subarray(bodyStart, bodyStart + available), truncated: available < length });
      pos = bodyStart + available;
      if (available < length) break;
      continue;
    }
    // No framing: the body runs until the connection closes.
    out.push({ status, headers, body: data.subarray(bodyStart), truncated: !atClose });
    break;
  }
  return out;
}

/** Send `head` one byte every `intervalMs` until the server closes or `bytes` were sent; resolves with what happened. */
export async function slowHeaders(port: number, head: string, intervalMs: number, maxMs: number): Promise<RawExchange> {
  return rawSend(
    port,
    [...head].map((c) => c),
    { pauseMs: intervalMs, maxMs },
  );
}

/** An open socket that the caller drives itself (for long-lived or slow-reading clients). */
export async function openSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}
