/** @module Reading an admin API request body: JSON, at most 16 KiB, never more read into memory. */
import type { Readable } from 'node:stream';

export const MAX_ADMIN_BODY = 16 * 1024;

/** What an adapter hands over: the unread request stream, bytes it already read, or nothing. */
export type AdminBodySource = Readable | Buffer | string | undefined;

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; text: string };

/** Reads at most MAX_ADMIN_BODY bytes (413 beyond, the rest left unread) and parses them as JSON (400 when not). */
export async function readJsonBody(source: AdminBodySource, declaredLength: string | undefined): Promise<BodyResult> {
  if (declaredLength !== undefined && Number(declaredLength) > MAX_ADMIN_BODY) return tooLarge();
  let bytes: Buffer;
  if (source === undefined) bytes = Buffer.alloc(0);
  else if (typeof source === 'string') bytes = Buffer.from(source, 'utf8');
  else if (Buffer.isBuffer(source)) bytes = source;
  else {
    const read = await readAtMost(source, MAX_ADMIN_BODY);
    if (read === undefined) return tooLarge();
    bytes = read;
  }
  if (bytes.length > MAX_ADMIN_BODY) return tooLarge();
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { ok: false, status: 400, text: 'body is required: a JSON object' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, status: 400, text: `body is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

/**
 * The whole stream, or undefined once it passes `limit` (then it is paused, not destroyed, so the
 * 413 can still be written; the adapter closes the connection after it).
 */
function readAtMost(stream: Readable, limit: number): Promise<Buffer | undefined> {
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | undefined): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      size += buf.length;
      if (size > limit) {
        stream.pause();
        done(undefined);
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => done(Buffer.concat(chunks));
    // A client gone mid-body: nothing to apply.
    const onError = (): void => done(Buffer.alloc(0));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

function tooLarge(): BodyResult {
  return { ok: false, status: 413, text: `body is larger than ${MAX_ADMIN_BODY} bytes` };
}
