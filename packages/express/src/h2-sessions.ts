/** @module HTTP/2 client sessions, one per upstream server (h2 over TLS with ALPN, or h2c), shared by every try, replaced when they close, fail or receive GOAWAY, and closed on close() or when their server is removed. */
import { connect, type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { upstreamTlsOptions, type ServerInfo, type Switchyard } from '@switchyard/core';

/** An idle session is closed after this long, as an idle keep-alive socket is (nginx keepalive_timeout). */
const IDLE_SESSION_MS = 60_000;

function openSession(server: ServerInfo): ClientHttp2Session {
  const options: SecureClientSessionOptions = {};
  if (server.protocol === 'https:') {
    // Verified by default, with the same name and CA rules as HTTP/1.1 over TLS; ALPN offers h2 only.
    Object.assign(options, upstreamTlsOptions(server), { ALPNProtocols: ['h2'] });
  } else if (server.socketPath !== undefined) {
    // h2c on a unix socket (the config refuses h2 there).
    const path = server.socketPath;
    options.createConnection = () => netConnect(path);
  }
  return connect(server.origin, options);
}

/** Sessions by upstream and server url; a server gets its session on first use and a new one after the last ended. */
export class H2Sessions {
  readonly #byUpstream = new Map<string, Map<string, ClientHttp2Session>>();
  /** Every session not yet closed, current or draining (GOAWAY received, server removed). */
  readonly #open = new Set<ClientHttp2Session>();
  #closed = false;

  constructor(sy: Switchyard) {
    sy.on('server:removed', ({ upstream, url }) => {
      const session = this.#byUpstream.get(upstream)?.get(url);
      if (session === undefined) return;
      this.#byUpstream.get(upstream)?.delete(url);
      // Graceful: streams in flight finish, then the connection closes.
      session.close();
    });
  }

  /** The server's current session, connecting a new one when there is none usable. */
  get(upstream: string, server: ServerInfo): ClientHttp2Session {
    let servers = this.#byUpstream.get(upstream);
    if (servers === undefined) {
      servers = new Map();
      this.#byUpstream.set(upstream, servers);
    }
    const current = servers.get(server.url);
    if (current !== undefined && !current.closed && !current.destroyed) return current;
    const session = openSession(server);
    const byUrl = servers;
    const forget = (): void => {
      if (byUrl.get(server.url) === session) byUrl.delete(server.url);
    };
    // A session error is seen by every stream on it (each try fails over); the listener keeps it from crashing the process.
    session.on('error', forget);
    // GOAWAY: streams the server accepted finish on this session; new tries open the next one.
    session.on('goaway', forget);
    session.once('close', () => {
      forget();
      this.#open.delete(session);
    });
    session.setTimeout(IDLE_SESSION_MS, () => session.close());
    this.#open.add(session);
    // After close() a late request still gets a session of its own, closed once its stream ends
    // (the caller opens that stream synchronously, before the tick).
    if (this.#closed) process.nextTick(() => session.close());
    else servers.set(server.url, session);
    return session;
  }

  /** Sessions currently open (for tests and status): one per server in use, plus any still draining. */
  get size(): number {
    return this.#open.size;
  }

  destroyAll(): void {
    this.#closed = true;
    for (const session of this.#open) session.destroy();
    this.#open.clear();
    this.#byUpstream.clear();
  }
}
