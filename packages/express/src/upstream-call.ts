/** @module The shape of one try's upstream request and answer that the exchange drives: a node:http ClientRequest and IncomingMessage, or their HTTP/2 stand-ins (h2-request.ts). */
import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What carries the try's bytes and owns its idle timer: the keep-alive socket (HTTP/1.1) or the stream (HTTP/2). */
export interface UpstreamSocket extends EventEmitter {
  /** The idle timeout in force, when the carrier tells it (a net.Socket does; an HTTP/2 stream does not). */
  readonly timeout?: number | undefined;
  readonly writableLength: number;
  setTimeout(ms: number): unknown;
}

/** The upstream's answer: status, headers, and a body piped to the client. */
export interface UpstreamAnswer {
  readonly statusCode?: number | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The whole body arrived. */
  readonly complete: boolean;
  pipe(destination: ServerResponse): unknown;
  resume(): unknown;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

/** The request of one try: written (or piped to) by the exchange, which hears these events below. */
export interface UpstreamCall extends NodeJS.WritableStream {
  /** The connection was already open (no connect timeout, no connect event to wait for). */
  readonly reusedSocket: boolean;
  readonly writableNeedDrain: boolean;
  destroy(error?: Error): unknown;
  on(event: 'socket', listener: (socket: UpstreamSocket) => void): this;
  on(event: 'response', listener: (answer: UpstreamAnswer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'finish', listener: () => void): this;
  /** A 101 nobody asked for (HTTP/1.1 only). */
  on(event: 'upgrade', listener: (res: IncomingMessage, socket: Socket) => void): this;
}
