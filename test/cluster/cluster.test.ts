/** @module A real node:cluster primary with two workers on one port (both adapters): shared drain, one prober, shared passive failures, summed status, re-forked worker state. */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../helpers/child-scripts.js';
import { startBackend, type Backend } from '../helpers/backends.js';
import { call, waitFor } from '../adapters/support/http.js';

const SCRIPT = fileURLToPath(new URL('./cluster-app.ts', import.meta.url));
const TOKEN = 'cluster-token-0123456789';
const API = '/switchyard/api';

interface Counted extends Backend {
  probes: number;
  traffic: number;
}

async function countedBackend(t: TestContext, name: string): Promise<Counted> {
  const b = (await startBackend(name)) as Counted;
  b.probes = 0;
  b.traffic = 0;
  b.handle((req, res) => {
    if (req.url === '/health') b.probes++;
    else b.traffic++;
    res.end(name);
  });
  t.after(() => b.stop());
  return b;
}

interface Primary {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the next stdout line starting with `prefix`. */
  next(prefix: string): Promise<string[]>;
}

function startPrimary(t: TestContext, adapter: string, options: unknown): Primary {
  const child = spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', SCRIPT], {
    cwd: repoRoot,
    env: { ...process.env, ADAPTER: adapter, SWITCHYARD_OPTIONS: JSON.stringify(options) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  let errors = '';
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  t.after(async () => {
    clearTimeout(killer);
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end('stop\n');
    const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(hard);
  });
  return {
    child,
    async next(prefix) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const i = lines.findIndex((l) => l.startsWith(prefix));
        if (i >= 0) return lines.splice(i, 1)[0]!.split(' ').slice(1);
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${prefix} line from the cluster app; stderr:\n${errors}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

/** Sequential GETs on fresh connections (the primary hands them to the workers in turn); returns the worker pids seen. */
async function traffic(url: string, count: number): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const a = await call(url);
    assert.equal(a.status, 200, `request ${i}: ${a.status} ${a.body}`);
    const pid = String(a.headers['x-worker']);
    pids.set(pid, (pids.get(pid) ?? 0) + 1);
  }
  return pids;
}

/** A server on `port` that resets every connection once the request line is in, counting proxied tries apart from probes (a backend that died). */
async function resetter(t: TestContext, port: number): Promise<{ tries: () => number; probes: () => number }> {
  let tries = 0;
  let probes = 0;
  const server: Server = createServer((s: Socket) => {
    s.on('error', () => {});
    s.once('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').startsWith('GET /health ')) probes++;
      else tries++;
      s.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { tries: () => tries, probes: () => probes };
}

for (const adapter of ['fastify', 'express']) {
  describe(`${adapter}: node:cluster with clusterPrimary()`, () => {
    it('one prober, a drain through one worker applies in both, passive failures shared, status summed, re-forked worker gets the state', async (t) => {
      const [a, b, c] = [await countedBackend(t, 'a'), await countedBackend(t, 'b'), await countedBackend(t, 'c')];
      const primary = startPrimary(t, adapter, {
        // A long interval: every prober probes once at start, so the count on the backend tells how many probe.
        upstreams: { app: { servers: [a.url, b.url, c.url], healthCheck: { path: '/health', interval: '1h' } } },
        locations: { '/': 'app' },
        status: { path: '/status' },
        metrics: { path: '/metrics' },
        admin: { path: API, token: TOKEN },
      });
      const [port, ...pids] = await primary.next('READY');
      const base = `http://127.0.0.1:${port}`;
      assert.equal(pids.length, 2);

      await waitFor(() => a.probes >= 1 && b.probes >= 1 && c.probes >= 1, 10_000);
      const first = await traffic(`${base}/x`, 30);
      assert.deepEqual([...first.keys()].sort(), [...pids].sort(), 'both workers took requests');
      assert.deepEqual([a.probes, b.probes, c.probes], [1, 1, 1], 'health probes run in one worker only');

      // Status through either worker: the sum over both equals what the backends counted.
      const status = JSON.parse((await call(`${base}/status`, { headers: { accept: 'application/json' } })).body) as {
        workers: number;
        upstreams: { app: { servers: Array<{ url: string; requests: number; state: string }> } };
      };
      assert.equal(status.workers, 2);
      assert.deepEqual(
        status.upstreams.app.servers.map((s) => s.requests),
        [a.traffic, b.traffic, c.traffic],
      );
      // Prometheus too: the 2xx counters are the sums over both workers.
      const metrics = (await call(`${base}/metrics`)).body;
      const twoXx = [a, b, c].map((backend) => {
        const line = metrics
          .split('\n')
          .find((l) => l.startsWith('switchyard_upstream_requests_total{') && l.includes(`server="${backend.url}"`) && l.includes('code_class="2xx"'));
        return Number(line?.split(' ').pop());
      });
      assert.deepEqual(twoXx, [a.traffic, b.traffic, c.traffic]);

      // Drain b through whichever worker takes the PATCH: neither worker sends it new requests.
      const patch = await call(`${base}${API}/upstreams/app/servers/1`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{"drain":true}',
      });
      assert.equal(patch.status, 200, patch.body);
      const bBefore = b.traffic;
      const drained = await traffic(`${base}/y`, 20);
      assert.equal(drained.size, 2, 'both workers answered after the drain');
      assert.equal(b.traffic, bBefore, 'no worker sends new requests to the drained server');

      // A change made in code in one worker applies in both: a down, then up again.
      assert.equal((await call(`${base}/__js/set?down=1&url=${encodeURIComponent(a.url)}`)).body, 'ok');
      const aBefore = a.traffic;
      const withoutA = await traffic(`${base}/v`, 20);
      assert.equal(withoutA.size, 2, 'both workers answered while a was down');
      assert.equal(a.traffic, aBefore, 'a server set down in code in one worker gets nothing from either');
      assert.equal((await call(`${base}/__js/set?down=0&url=${encodeURIComponent(a.url)}`)).body, 'ok');

      // c dies (connections reset): the first worker to try it fails over and tells the other, which never tries it.
      await c.stop();
      const dead = await resetter(t, c.port);
      const afterDeath = await traffic(`${base}/z`, 20);
      assert.equal(afterDeath.size, 2, 'both workers answered after the failure');
      assert.equal(dead.tries(), 1, 'one try on the dead server over both workers');

      // A worker killed and re-forked gets the drain and the failure: b and c get nothing from it.
      primary.child.stdin.write('kill-worker\n');
      const [newPid] = await primary.next('REFORKED');
      // Fresh connections go to the workers in turn: read the re-forked worker's own view (by its pid), not the old one's.
      let own: Array<{ state: string }> | undefined;
      for (let i = 0; i < 20 && own === undefined; i++) {
        const r = await call(`${base}${API}/upstreams/app/servers`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(r.status, 200, r.body);
        if (String(r.headers['x-worker']) === newPid) own = JSON.parse(r.body) as Array<{ state: string }>;
      }
      assert.ok(own !== undefined, 'the re-forked worker answered an admin read');
      // c is 'failed' (shared passive failure), or 'unhealthy' when the re-forked worker's exit made the other the prober and it probed c.
      assert.deepEqual(
        own.slice(0, 2).map((s) => s.state),
        ['up', 'draining'],
      );
      assert.ok(['failed', 'unhealthy'].includes(own[2]!.state), own[2]!.state);
      // Enough requests through the re-forked worker that round robin would reach b (and c) were they not drained and failed there.
      let throughNew = 0;
      for (let i = 0; i < 60 && throughNew < 6; i++) {
        const r = await call(`${base}/w`);
        assert.equal(r.status, 200);
        if (String(r.headers['x-worker']) === newPid) throughNew++;
      }
      assert.equal(throughNew, 6, 'the re-forked worker took requests');
      assert.equal(b.traffic, bBefore, 'the re-forked worker keeps the drain');
      assert.equal(dead.tries(), 1, 'the re-forked worker knows the server failed');
      assert.ok(dead.probes() <= 1, 'at most the new prober probed the dead server');
    });
  });
}
