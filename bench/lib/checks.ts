/** @module Checks made before timing: the candidate really spreads 1-2-3-1-2-3, and it reuses its upstream connections. */
import { Agent, request } from 'node:http';
import { backendAccepts } from './nginx.js';
import { wrk } from './wrk.js';

/** GET once over a keep-alive agent; resolves with the status and body. */
function get(port: number, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('no answer in 5 s')));
    req.on('error', reject);
    req.end();
  });
}

export interface Spread {
  bodies: string[];
  /** Three distinct backends, each twice, in a repeating order (1-2-3-1-2-3 up to rotation). */
  roundRobin: boolean;
}

/** Six sequential requests, one at a time, on one client connection. */
export async function checkSpread(port: number): Promise<Spread> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await get(port, agent);
      bodies.push(r.status === 200 ? r.body : `HTTP ${r.status}`);
    }
    const roundRobin = new Set(bodies).size === 3 && bodies.slice(0, 3).every((b, i) => b === bodies[i + 3]);
    return { bodies, roundRobin };
  } finally {
    agent.destroy();
  }
}

export interface Reuse {
  requests: number;
  newConnections: number;
  /** New upstream connections per 1000 proxied requests, after a warm-up. */
  perThousand: number;
  /**
   * `reused`: at most one new connection per client connection (pools still growing to their peak);
   * `churn`: connections are reused but some are closed and reopened (an idle cache smaller than the
   * concurrency, as nginx's `keepalive 32` under 50 clients); `none`: about one per request.
   */
  verdict: 'reused' | 'churn' | 'none';
}

/**
 * Counts the connections the three backends accepted (nginx stub_status) during a short load that
 * follows a warm-up: a pooling proxy opens none, a `Connection: close` proxy opens one per request.
 */
export async function checkReuse(
  proxyPort: number,
  backendPorts: readonly number[],
  o: { core: number | null; connections: number; seconds: number },
): Promise<Reuse> {
  const url = `http://127.0.0.1:${proxyPort}/`;
  await wrk({ url, core: o.core, connections: o.connections, durationS: o.seconds });
  const before = await Promise.all(backendPorts.map(backendAccepts));
  const load = await wrk({ url, core: o.core, connections: o.connections, durationS: o.seconds });
  const after = await Promise.all(backendPorts.map(backendAccepts));
  // Each stub_status read is itself one accepted connection.
  const newConnections = after.reduce((sum, a, i) => sum + (a - (before[i] ?? a) - 1), 0);
  const perThousand = load.requests > 0 ? (newConnections * 1000) / load.requests : Infinity;
  const verdict = newConnections <= o.connections || perThousand <= 1 ? 'reused' : perThousand < 500 ? 'churn' : 'none';
  return { requests: load.requests, newConnections, perThousand, verdict };
}
