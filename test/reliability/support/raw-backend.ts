/** @module A raw TCP "HTTP server" on 127.0.0.1 that parses requests itself and misbehaves on command, counting every connection and request. */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** One request as the backend parsed it off the wire. */
export interface RawRequest {
  readonly method: string;
  readonly target: string;
  /** Header lines in order, names lower-cased. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The raw request head (request line and headers, without the final empty line). */
  readonly head: string;
  readonly body: Buffer;
  /** 1-based id of the connection it came on. */
  readonly connection: number;
  /** 1-based index of the request on its connection. */
  readonly indexOnConnection: number;
}

/** First value of a header (lower-case name), or undefined. */
export function headerOf(req: RawRequest, name: string): string | undefined {
  return req.headers.find(([n]) => n === name)?.[1];
}

/** Every value of a header (lower-case name). */
export function headersOf(req: RawRequest, name: string): string[] {
  return req.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** What a behaviour can do with the connection a request came on. */
export interface RawConnection {
  readonly id: number;
  readonly socket: Socket;
  /** Write bytes unless the socket is gone. */
  write(data: string | Buffer): void;
  /** Write bytes then close our side (FIN). */
  end(data?: string | Buffer): void;
  /** Abort with a TCP RST. */
  reset(): void;
  /** Write `data` in pieces of `size` bytes, one every `intervalMs` (stops quietly if the socket goes). */
  trickle(data: string | Buffer, size: number, intervalMs: number): Promise<void>;
}

export type RawBehaviour = (req: RawRequest, conn: RawConnection, backend: RawBackend) => void | Promise<void>;

export interface RawBackend {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** Connections accepted since start (or since `resetCounts`). */
  readonly connections: number;
  /** Connections open right now. */
  readonly openConnections: number;
  /** Whether connection `id` (see RawRequest.connection) is still open. */
  isOpen(id: number): boolean;
  /** Requests fully received (head and body), in order. */
  readonly requests: RawRequest[];
  /** Connections closed because the bytes were not parseable HTTP/1.1. */
  readonly parseErrors: number;
  /** Replace the behaviour (default: 200 with body = name, keep-alive). */
  behave(behaviour: RawBehaviour | undefined): void;
  resetCounts(): void;
  /** Stop listening and destroy open sockets. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

/** A well-formed response with Content-Length. */
export function response(status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  let head = `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'X'}\r\n`;
  const all: Record<string, string> = { 'content-type': 'text/plain', 'content-length': String(payload.length), ...headers };
  for (const name in all) head += `${name}: ${all[name]}\r\n`;
  return Buffer.concat([Buffer.from(head + '\r\n'), payload]);
}

const defaultBehaviour: RawBehaviour = (_req, conn, backend) => conn.write(response(200, backend.name));

/** Ready-made misbehaviours. */
export const behaviours = {
  ok(body?: string, headers?: Record<string, string>): RawBehaviour {
    return (_req, conn, backend) => conn.write(response(200, body ?? backend.name, headers));
  },
  /** Close the connection without a byte of answer. */
  closeWithoutAnswer(): RawBehaviour {
    return (_req, conn) => conn.end();
  },
  /** RST right away. */
  reset(): RawBehaviour {
    return (_req, conn) => conn.reset();
  },
  /** Part of the status line and headers, then RST. */
  resetMidHeader(): RawBehaviour {
    return (_req, conn) => {
      conn.write('HTTP/1.1 200 OK\r\nContent-Type: text/pl');
      setTimeout(() => conn.reset(), 20).unref();
    };
  },
  /** Headers announcing `total` bytes, `sent` of them, then RST. */
  resetMidBody(total = 1000, sent = 300, fill = 'a'): RawBehaviour {
    return (_req, conn) => {
      conn.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${total}\r\n\r\n` + fill.repeat(sent));
      setTimeout(() => conn.reset(), 50).unref();
    };
  },
  /** Accept the request and never answer. */
  hang(): RawBehaviour {
    return () => undefined;
  },
  /** The whole response, `size` bytes every `intervalMs`. */
  trickle(body: string, size: number, intervalMs: number): RawBehaviour {
    return async (_req, conn) => {
      await conn.trickle(response(200, body), size, intervalMs);
    };
  },
  /** Exactly these bytes, then close. */
  raw(bytes: string | Buffer, close = true): RawBehaviour {
    return (_req, conn) => (close ? conn.end(bytes) : conn.write(bytes));
  },
};

/** Start a raw backend on a free port (or `port`). */
export async function startRawBackend(name: string, behaviour?: RawBehaviour, port = 0): Promise<RawBackend> {
  let current: RawBehaviour = behaviour ?? defaultBehaviour;
  const sockets = new Set<Socket>();
  const openIds = new Set<number>();
  let server: Server | undefined;
  let boundPort = port;
  let connections = 0;
  let nextId = 0;
  let parseErrors = 0;
  const requests: RawRequest[] = [];

  const backend: RawBackend = {
    name,
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    get connections() {
      return connections;
    },
    get openConnections() {
      return sockets.size;
    },
    isOpen(id) {
      return openIds.has(id);
    },
    requests,
    get parseErrors() {
      return parseErrors;
    },
    behave(b) {
      current = b ?? defaultBehaviour;
    },
    resetCounts() {
      connections = 0;
      parseErrors = 0;
      requests.length = 0;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s === undefined) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const sock of sockets) sock.destroy();
      await closed;
    },
    async start() {
      const s = createServer((socket) => onConnection(socket));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(boundPort, '127.0.0.1', () => {
          boundPort = (s.address() as AddressInfo).port;
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
    },
  };

  function onConnection(socket: Socket): void {
    const id = ++nextId;
    connections++;
    sockets.add(socket);
    openIds.add(id);
    socket.on('close', () => {
      sockets.delete(socket);
      openIds.delete(id);
    });
    socket.on('error', () => undefined);
    const conn: RawConnection = {
      id,
      socket,
      write(data) {
        if (!socket.destroyed && socket.writable) socket.write(data);
      },
      end(data) {
        if (!socket.destroyed && socket.writable) {
          if (data === undefined) socket.end();
          else socket.end(data);
        } else if (!socket.destroyed) socket.destroy();
      },
      reset() {
        if (!socket.destroyed) socket.resetAndDestroy();
      },
      async trickle(data, size, intervalMs) {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        for (let i = 0; i < buf.length; i += size) {
          if (socket.destroyed || !socket.writable) return;
          socket.write(buf.subarray(i, i + size));
          if (i + size < buf.length) await delay(intervalMs);
        }
      },
    };
    let buffered: Buffer = Buffer.alloc(0);
    let index = 0;
    let continued = -1;
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const parsed = parseRequest(buffered);
        if (parsed === 'incomplete') {
          // Like real servers: a complete head asking `Expect: 100-continue` gets its interim answer once.
          const headEnd = buffered.indexOf('\r\n\r\n');
          if (headEnd !== -1 && continued !== index && /\r\nexpect:\s*100-continue/i.test(buffered.subarray(0, headEnd).toString('latin1'))) {
            continued = index;
            conn.write('HTTP/1.1 100 Continue\r\n\r\n');
          }
          return;
        }
        if (parsed === 'invalid') {
          parseErrors++;
          buffered = Buffer.alloc(0);
          socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        buffered = buffered.subarray(parsed.consumed);
        const req: RawRequest = { ...parsed.request, connection: id, indexOnConnection: ++index };
        requests.push(req);
        const behaviourNow = current;
        // Requests on one connection are answered in order, like a real HTTP/1.1 server.
        chain = chain.then(() => behaviourNow(req, conn, backend)).catch(() => conn.reset());
      }
    });
  }

  await backend.start();
  return backend;
}

type Parsed = 'incomplete' | 'invalid' | { consumed: number; request: Omit<RawRequest, 'connection' | 'indexOnConnection'> };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A strict HTTP/1.1 request parser: anything ambiguous (CL+TE, duplicate CL, obs-fold, bad chunk) is invalid. */
function parseRequest(buf: Buffer): Parsed {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return buf.length > MAX_HEAD ? 'invalid' : 'incomplete';
  const head = buf.subarray(0, end).toString('latin1');
  const lines = head.split('\r\n');
  const requestLine = lines.shift() ?? '';
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (m === null) return 'invalid';
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) return 'invalid';
    const colon = line.indexOf(':');
    if (colon <= 0) return 'invalid';
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 'invalid';
    headers.push([name.toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const cl = headers.filter(([n]) => n === 'content-length');
  const te = headers.filter(([n]) => n === 'transfer-encoding');
  if (cl.length > 0 && te.length > 0) return 'invalid';
  if (cl.length > 1 || te.length > 1) return 'invalid';
  const bodyStart = end + 4;
  const base = { method: m[1] as string, target: m[2] as string, headers, head };
  if (te.length === 1) {
    if (te[0]?.[1].toLowerCase() !== 'chunked') return 'invalid';
    const chunks: Buffer[] = [];
    let pos = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd === -1) return 'incomplete';
      const sizeText = buf.subarray(pos, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) return 'invalid';
      const size = parseInt(sizeText, 16);
      pos = lineEnd + 2;
      if (size === 0) {
        // Trailers (none expected) end with an empty line.
        const trailerEnd = buf.indexOf('\r\n', pos);
        if (trailerEnd === -1) return 'incomplete';
        if (trailerEnd !== pos) {
          const all = buf.indexOf('\r\n\r\n', pos);
          if (all === -1) return 'incomplete';
          return { consumed: all + 4, request: { ...base, body: Buffer.concat(chunks) } };
        }
        return { consumed: pos + 2, request: { ...base, body: Buffer.concat(chunks) } };
      }
      if (buf.length < pos + size + 2) return 'incomplete';
      chunks.push(buf.subarray(pos, pos + size));
      if (buf[pos + size] !== 0x0d || buf[pos + size + 1] !== 0x0a) return 'invalid';
      pos += size + 2;
    }
  }
  let length = 0;
  if (cl.length === 1) {
    const text = cl[0]?.[1] ?? '';
    if (!/^[0-9]+$/.test(text)) return 'invalid';
    length = Number(text);
  }
  if (buf.length < bodyStart + length) return 'incomplete';
  return { consumed: bodyStart + length, request: { ...base, body: Buffer.from(buf.subarray(bodyStart, bodyStart + length)) } };
}
