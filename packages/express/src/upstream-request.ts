/** @module The upstream request of one try, made with node:http directly on the server's keep-alive agent (http-proxy's `stream` pass did this with per-request option copies, path joining and a pipe even for bodiless requests). */
// The modules' objects, not their named exports: instrumentations (OpenTelemetry's, APM agents)
// replace `http.request` on the object, which ES named imports of a builtin never see.
import http, { type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { sendTry, type Attempt } from '@switchyard/core';
import type { UpstreamTarget } from './upstream-agents.js';

/**
 * Creates the request on the server's keep-alive agent. Throws synchronously for a header Node refuses to send. Nothing is written until the caller writes or ends it.
 */
export function createUpstreamRequest(method: string, path: string, headers: OutgoingHttpHeaders, upstream: UpstreamTarget): ClientRequest {
  const { agent, target } = upstream;
  // The agent's own options (TLS verification, servername, CA) override these, as before.
  const options = { agent, hostname: target.hostname, port: target.port, socketPath: target.socketPath, method, headers, path: '/' };
  const req = target.protocol === 'https:' ? https.request(options) : http.request(options);
  // The core's exact path and query: Node renders the request line
  // only at the first write, and does not re-validate or join it (`//a` stays `//a`).
  req.path = path;
  return req;
}

const setLateHeader = (req: ClientRequest, name: string, value: string): void => {
  req.setHeader(name, value);
};

/**
 * {@link createUpstreamRequest} for a try that records facts: with tracing, made in the try's
 * OpenTelemetry context, so that the client span of the app's `node:http` instrumentation (which
 * wraps `http.request`) becomes the try's span; without one, switchyard's span's `traceparent` is
 * set on the request, whose head is not written yet.
 */
export function createTracedUpstreamRequest(
  attempt: Attempt,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  upstream: UpstreamTarget,
): ClientRequest {
  return sendTry(attempt, () => createUpstreamRequest(method, path, headers, upstream), setLateHeader);
}
