/** @module The upstream request of one try, made with node:http directly on the server's keep-alive agent (http-proxy's `stream` pass did this with per-request option copies, path joining and a pipe even for bodiless requests). */
import { request as httpRequest, type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UpstreamTarget } from './upstream-agents.js';

/**
 * Creates the request on the server's keep-alive agent. Throws synchronously for a header Node refuses to send. Nothing is written until the caller writes or ends it.
 */
export function createUpstreamRequest(method: string, path: string, headers: OutgoingHttpHeaders, upstream: UpstreamTarget): ClientRequest {
  const { agent, target } = upstream;
  // The agent's own options (TLS verification, servername, CA) override these, as before.
  const options = { agent, hostname: target.hostname, port: target.port, socketPath: target.socketPath, method, headers, path: '/' };
  const req = target.protocol === 'https:' ? httpsRequest(options) : httpRequest(options);
  // The core's exact path and query: Node renders the request line
  // only at the first write, and does not re-validate or join it (`//a` stays `//a`).
  req.path = path;
  return req;
}
