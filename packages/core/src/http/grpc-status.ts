/** @module gRPC errors travel as HTTP 200 with a `grpc-status` header: the one that means "try another server" is read as the 503 it stands for. */
import type { IncomingHttpHeaders } from 'node:http';

/** grpc-status UNAVAILABLE: the service is down for now; the call is safe to retry elsewhere. */
const UNAVAILABLE = '14';

/**
 * The status the retry rules see. A gRPC server that cannot serve answers a headers-only HTTP 200
 * with `grpc-status: 14` (UNAVAILABLE); switchyard reads it as 503, so `retry.on: [503]` (nginx
 * `grpc_next_upstream http_503`) moves the call to another server. The client, when no retry is
 * made, gets the server's answer as it was.
 */
export function retryStatus(status: number, headers: IncomingHttpHeaders): number {
  if (status !== 200) return status;
  const grpc = headers['grpc-status'];
  return grpc === UNAVAILABLE && (headers['content-type'] ?? '').startsWith('application/grpc') ? 503 : status;
}
