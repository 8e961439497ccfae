/** @module How a request body travels upstream: none, re-serialised after a body parser, held (small), or streamed. */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** Bodies up to this size are held in memory so a retry can send them again (DESIGN.md). */
export const MAX_HELD_BODY = 64 * 1024;

export type BodyPlan =
  /** No body: the request stream is piped as is (it ends at once). */
  | { readonly kind: 'none' }
  /** Bytes in memory: a body parser already consumed the stream, or it was read (small). */
  | { readonly kind: 'buffer'; readonly data: Buffer; readonly reserialized: boolean }
  /** A small body of known length, to read into memory before the first try. */
  | { readonly kind: 'hold'; readonly length: number }
  /** Too large (or of unknown length) to hold: streamed, replayable only while nothing was sent. */
  | { readonly kind: 'stream'; readonly chunked: boolean };

/** No body to send (shared: plans are never changed). */
export const NO_BODY: BodyPlan = { kind: 'none' };
const STREAM_CHUNKED: BodyPlan = { kind: 'stream', chunked: true };
const STREAM_SIZED: BodyPlan = { kind: 'stream', chunked: false };

interface ParsedRequest extends IncomingMessage {
  body?: unknown;
  /** Set by body-parser 1.x (Express 4) once it consumed the stream. */
  _body?: boolean;
}

export function planBody(req: IncomingMessage): BodyPlan {
  const headers = req.headers;
  const te = headers['transfer-encoding'];
  const cl = headers['content-length'];
  if (te === undefined && (cl === undefined || cl === '0')) return NO_BODY;
  const parsed = req as ParsedRequest;
  if (parsed._body === true || req.readableEnded) {
    return { kind: 'buffer', data: serialize(parsed.body, headers['content-type']), reserialized: true };
  }
  if (te !== undefined) return STREAM_CHUNKED;
  const length = Number(cl);
  return length <= MAX_HELD_BODY ? { kind: 'hold', length } : STREAM_SIZED;
}

/** Reads a small body fully; resolves undefined when the client went away first. */
export function holdBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | undefined): void => {
      req.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = (): void => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onFail = (): void => done(undefined);
    const onClose = (): void => {
      if (!req.readableEnded) done(undefined);
    };
    req.on('data', onData).on('end', onEnd).on('error', onFail).on('close', onClose);
  });
}

/** A fresh stream over held bytes, one per try. */
export function bufferStream(data: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        if (data.length > 0) this.push(data);
      }
      this.push(null);
    },
  });
}

const NODE_CHARSETS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'us-ascii': 'latin1',
  ascii: 'latin1',
  'utf-16le': 'utf16le',
};

function charsetOf(contentType: string): BufferEncoding {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return (match && NODE_CHARSETS[(match[1] as string).toLowerCase()]) || 'utf8';
}

/**
 * The bytes of a body a parser already turned into a value: express.json -> JSON,
 * express.urlencoded -> form encoding (nested keys in qs bracket form), express.text -> the
 * string in its declared charset, express.raw -> the Buffer itself.
 */
export function serialize(body: unknown, contentType: string | undefined): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const type = (contentType ?? '').toLowerCase();
  if (typeof body === 'string') return Buffer.from(body, charsetOf(type));
  if (type.includes('application/x-www-form-urlencoded')) return Buffer.from(encodeForm(body));
  return Buffer.from(JSON.stringify(body) ?? '');
}

function encodeForm(value: unknown): string {
  const parts: string[] = [];
  const walk = (key: string, v: unknown): void => {
    if (v === undefined) return;
    if (Array.isArray(v)) {
      const flat = v.every((x) => x === null || typeof x !== 'object');
      v.forEach((x, i) => walk(flat ? key : `${key}[${i}]`, x));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(key === '' ? k : `${key}[${k}]`, x);
    } else {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- v is a primitive here: arrays and objects are walked above
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v === null ? '' : String(v))}`);
    }
  };
  if (value !== null && typeof value === 'object') walk('', value);
  return parts.join('&');
}
