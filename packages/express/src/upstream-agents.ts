/** @module Keep-alive agents, one per upstream server (TLS settings included), created once and destroyed on close or when their server is removed. */
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { upstreamTlsOptions, type ServerInfo, type Switchyard } from '@switchyard/core';

/** Where a try's upstream request connects (pre-parsed once per server). */
export interface ProxyTarget {
  readonly protocol: 'http:' | 'https:';
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  /** `unix:` servers: the socket file to connect to. */
  readonly socketPath?: string;
}

export interface UpstreamTarget {
  readonly agent: HttpAgent;
  readonly target: ProxyTarget;
}

/** Receives the ClientRequest made for its try, synchronously, before any byte is written. */
export interface RequestClaim {
  /** Exact path + query to send (never joined or normalised: `//a` stays `//a`). */
  readonly path: string;
  claim(request: ClientRequest): void;
}

const IDLE_SOCKET_MS = 60_000;

function createAgent(server: ServerInfo, keepalive: number): HttpAgent {
  // `timeout` is how long an idle socket is kept (nginx keepalive_timeout, 60s); with it set, Node
  // also honours the upstream's `Keep-Alive: timeout=N` hint and closes first, avoiding reuse races.
  const options = { keepAlive: keepalive > 0, maxFreeSockets: Math.max(keepalive, 1), scheduling: 'lifo' as const, timeout: IDLE_SOCKET_MS };
  if (server.protocol === 'https:') {
    // Agent options override request options in Node, so verification cannot be turned off per
    // request by accident; the name checked is the upstream's own or `tls.servername` (never the
    // client's Host). The agent caches TLS sessions (maxCachedSessions 100): new connections resume.
    return new HttpsAgent({ ...options, ...upstreamTlsOptions(server) });
  }
  return new HttpAgent(options);
}

/** Agents by upstream and server url; servers added at run time get theirs on first use. */
export class UpstreamAgents {
  readonly #sy: Switchyard;
  readonly #byUpstream = new Map<string, Map<string, UpstreamTarget>>();
  /** Agents of removed servers with requests still in flight: destroyed when the last socket closes (or on close()). */
  readonly #retired = new Set<HttpAgent>();
  #closed = false;

  constructor(sy: Switchyard) {
    this.#sy = sy;
    sy.on('server:removed', ({ upstream, url }) => this.#drop(upstream, url));
  }

  get(upstream: string, server: ServerInfo): UpstreamTarget {
    let servers = this.#byUpstream.get(upstream);
    if (servers === undefined) {
      servers = new Map();
      this.#byUpstream.set(upstream, servers);
    }
    let entry = servers.get(server.url);
    if (entry === undefined) {
      const keepalive = this.#closed ? 0 : (this.#sy.config.upstreams.get(upstream)?.keepalive ?? 32);
      entry = {
        agent: createAgent(server, keepalive),
        target: { protocol: server.protocol, host: server.hostname, hostname: server.hostname, port: server.port, socketPath: server.socketPath },
      };
      servers.set(server.url, entry);
    }
    return entry;
  }

  destroyAll(): void {
    this.#closed = true;
    for (const servers of this.#byUpstream.values()) for (const entry of servers.values()) entry.agent.destroy();
    for (const agent of this.#retired) agent.destroy();
    this.#byUpstream.clear();
    this.#retired.clear();
  }

  #drop(upstream: string, url: string): void {
    const servers = this.#byUpstream.get(upstream);
    const entry = servers?.get(url);
    if (entry === undefined) return;
    servers?.delete(url);
    retire(entry.agent, this.#retired);
  }
}

function hasSockets(agent: HttpAgent): boolean {
  for (const list of Object.values(agent.sockets)) if (list !== undefined && list.length > 0) return true;
  for (const list of Object.values(agent.requests)) if (list !== undefined && list.length > 0) return true;
  return false;
}

/**
 * A removed server's agent: idle sockets go now, sockets of requests in flight are closed when
 * their request is done (not kept alive), and the agent itself is destroyed and forgotten with the
 * last one. Keeping it (about 2 KB each) would grow memory with every removal in a long-lived
 * dynamic pool.
 */
function retire(agent: HttpAgent, retired: Set<HttpAgent>): void {
  for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy();
  // Node's agent closes a freed socket instead of keeping it when its free list is "full".
  agent.maxFreeSockets = 0;
  if (!hasSockets(agent)) {
    agent.destroy();
    return;
  }
  retired.add(agent);
  const onClose = (): void => {
    // The agent drops the socket in its own 'close' listener: checked on the next tick, whatever the listener order.
    process.nextTick(() => {
      if (!retired.has(agent) || hasSockets(agent)) return;
      retired.delete(agent);
      agent.destroy();
    });
  };
  for (const list of Object.values(agent.sockets)) for (const socket of list ?? []) socket.once('close', onClose);
}
