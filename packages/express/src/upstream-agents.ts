/** @module Keep-alive agents, one per upstream server, created once and destroyed on close; they also hand each new upstream request to the exchange that asked for it. */
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { ServerInfo, Switchyard } from '@switchyard/core';

/** What http-proxy reads from `options.target` (pre-parsed once, so it never calls `url.parse`). */
export interface ProxyTarget {
  readonly protocol: 'http:' | 'https:';
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
}

export interface UpstreamTarget {
  readonly agent: HttpAgent;
  readonly target: ProxyTarget;
}

/** Receives the ClientRequest that http-proxy creates, synchronously, before any byte is written. */
export interface RequestClaim {
  /** Exact path + query to send (http-proxy's own path joining merges `//`). */
  readonly path: string;
  claim(request: ClientRequest): void;
}

const IDLE_SOCKET_MS = 60_000;

type AddRequest = (this: HttpAgent, req: ClientRequest, options: object) => void;

// http-proxy builds the upstream request inside `proxy.web()`, synchronously, and the agent sees it
// in `addRequest` before its headers are rendered. The exchange that is calling `web()` parks its
// claim here for exactly that synchronous stretch, so the path is exact and the request is known
// without relying on http-proxy's `proxyReq` event (late, and missing with `Expect`).
let parked: RequestClaim | undefined;

/** Runs `fn` (a `proxy.web()` call) with `claim` parked for the request it creates. */
export function withClaim<T>(claim: RequestClaim, fn: () => T): T {
  parked = claim;
  try {
    return fn();
  } finally {
    parked = undefined;
  }
}

function hook(agent: HttpAgent): HttpAgent {
  const original = (agent as unknown as { addRequest: AddRequest }).addRequest;
  (agent as unknown as { addRequest: AddRequest }).addRequest = function addRequest(this: HttpAgent, req: ClientRequest, options: object): void {
    const claim = parked;
    parked = undefined;
    if (claim !== undefined) {
      req.path = claim.path;
      claim.claim(req);
    }
    original.call(this, req, options);
  };
  return agent;
}

function createAgent(server: ServerInfo, keepalive: number): HttpAgent {
  // `timeout` is how long an idle socket is kept (nginx keepalive_timeout, 60s); with it set, Node
  // also honours the upstream's `Keep-Alive: timeout=N` hint and closes first, avoiding reuse races.
  const options = { keepAlive: keepalive > 0, maxFreeSockets: Math.max(keepalive, 1), scheduling: 'lifo' as const, timeout: IDLE_SOCKET_MS };
  if (server.protocol === 'https:') {
    // Agent options override request options in Node, so verification cannot be turned off per
    // request by accident; the name checked is the upstream's own (never the client's Host).
    return hook(new HttpsAgent({ ...options, rejectUnauthorized: true, servername: server.name ?? (isIP(server.hostname) === 0 ? server.hostname : '') }));
  }
  return hook(new HttpAgent(options));
}

/** Agents by upstream and server url; servers added at run time get theirs on first use. */
export class UpstreamAgents {
  readonly #sy: Switchyard;
  readonly #byUpstream = new Map<string, Map<string, UpstreamTarget>>();
  /** Agents of removed servers: their in-flight sockets finish, then close() still destroys them. */
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
        target: { protocol: server.protocol, host: server.hostname, hostname: server.hostname, port: server.port },
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
    // Requests in flight keep their sockets; idle ones go now.
    for (const list of Object.values(entry.agent.freeSockets)) for (const socket of list ?? []) socket.destroy();
    this.#retired.add(entry.agent);
  }
}
