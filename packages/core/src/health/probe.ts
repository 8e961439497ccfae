/** @module One active health probe: a GET on a fresh connection with a hard deadline and a capped body read. */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ResolvedHealthCheck, ServerInfo } from '../types.js';
import { upstreamRequestOptions } from '../http/upstream-connection.js';
import { startH2Probe } from './probe-h2.js';
import { describeError, judgeResponse, probePath, PROBE_USER_AGENT, type ProbeResult, type RunningProbe } from './probe-response.js';

export { PROBE_BODY_LIMIT, PROBE_USER_AGENT, probePath, type ProbeResult, type RunningProbe } from './probe-response.js';

/**
 * Sends one probe. No agent (a probe must not reuse or hold a pooled connection, and must not
 * be mistaken for traffic), TLS as configured for the server (verified, client certificate,
 * servername), to its address or unix socket, Host as requests carry it; the whole exchange,
 * connect to last body byte read, must finish within `check.timeoutMs`.
 */
export function startProbe(server: ServerInfo, check: ResolvedHealthCheck): RunningProbe {
  let settle: (result: ProbeResult) => void = () => {};
  const done = new Promise<ProbeResult>((resolve) => {
    settle = resolve;
  });
  let finished = false;
  let req: ClientRequest | undefined;
  let res: IncomingMessage | undefined;
  const finish = (result: ProbeResult): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    res?.destroy();
    req?.destroy();
    settle(result);
  };
  const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${check.timeoutMs}ms` }), check.timeoutMs);
  timer.unref();

  if (server.http2 === true) return startH2Probe(server, check);
  const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    req = send(
      {
        ...upstreamRequestOptions(server),
        path: probePath(server, check),
        method: 'GET',
        agent: false,
        // A resolved address: SNI and the certificate check use the name it came from.
        ...(server.name !== undefined && server.protocol === 'https:' ? { servername: server.name } : {}),
        headers: { host: server.host, 'user-agent': PROBE_USER_AGENT, accept: '*/*', connection: 'close' },
      },
      (response) => {
        res = response;
        judgeResponse(response.statusCode ?? 0, response, check, finish);
      },
    );
  } catch (err) {
    finish({ ok: false, error: describeError(err) });
    return { done, cancel() {} };
  }
  req.on('error', (err) => finish({ ok: false, error: describeError(err) }));
  req.end();
  return { done, cancel: () => finish({ ok: false, error: 'cancelled' }) };
}
