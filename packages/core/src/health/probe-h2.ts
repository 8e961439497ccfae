/** @module The active health probe of an HTTP/2 upstream (protocol h2 or h2c): one GET on a session of its own, closed after, with the same deadline and body rules. */
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect as netConnect } from 'node:net';
import type { ResolvedHealthCheck, ServerInfo } from '../types.js';
import { upstreamTlsOptions } from '../http/upstream-connection.js';
import { describeError, judgeResponse, probePath, PROBE_USER_AGENT, type ProbeResult, type RunningProbe } from './probe-response.js';

/**
 * An HTTP/2 server is probed in its own protocol: h2 over TLS (ALPN `h2`, verified as traffic is) or
 * h2c with prior knowledge, to its address or unix socket. A fresh session per probe, as the HTTP/1.1
 * probe uses a fresh connection: a probe never shares the connection requests use.
 */
export function startH2Probe(server: ServerInfo, check: ResolvedHealthCheck): RunningProbe {
  let settle: (result: ProbeResult) => void = () => {};
  const done = new Promise<ProbeResult>((resolve) => {
    settle = resolve;
  });
  let finished = false;
  let session: ClientHttp2Session | undefined;
  let stream: ClientHttp2Stream | undefined;
  const finish = (result: ProbeResult): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    stream?.close(constants.NGHTTP2_CANCEL);
    session?.destroy();
    settle(result);
  };
  const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${check.timeoutMs}ms` }), check.timeoutMs);
  timer.unref();
  try {
    const tls = server.protocol === 'https:';
    session = connect(server.origin, {
      ...(tls ? { ...upstreamTlsOptions(server), ALPNProtocols: ['h2'] } : {}),
      ...(server.socketPath !== undefined ? { createConnection: () => netConnect(server.socketPath as string) } : {}),
      ...(tls && server.name !== undefined ? { servername: server.name } : {}),
    });
    session.on('error', (err) => finish({ ok: false, error: describeError(err) }));
    stream = session.request({
      ':method': 'GET',
      ':path': probePath(server, check),
      ':authority': server.host,
      'user-agent': PROBE_USER_AGENT,
      accept: '*/*',
    });
    const s = stream;
    s.on('error', (err) => finish({ ok: false, error: describeError(err) }));
    s.on('response', (headers) => judgeResponse(Number(headers[':status'] ?? 0), s, check, finish));
    s.end();
  } catch (err) {
    finish({ ok: false, error: describeError(err) });
  }
  return { done, cancel: () => finish({ ok: false, error: 'cancelled' }) };
}
