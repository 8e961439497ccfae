/** @module Entry of the side-by-side benchmark: nginx backends, every candidate pinned to its own core, checks, interleaved wrk rounds, failover, memory, CPU profile. */
import { mkdirSync, mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeProfile } from './cpu-top.js';
import { CANDIDATES, type Candidate } from './lib/candidates.js';
import { checkReuse, checkSpread } from './lib/checks.js';
import { backendConf, proxyConf, startNginx } from './lib/nginx.js';
import { groupCpuMs, memoryOf, portOpen, sleep, start, stopAll, waitForPort, type Running } from './lib/proc.js';
import { markdown, rows, type CandidateResult, type Results } from './lib/report.js';
import { readSettings } from './lib/settings.js';
import { buildPackages, describeMachine, ensureTools } from './lib/tools.js';
import { failures, wrk } from './lib/wrk.js';
import { startHangingServer } from './lib/hang.js';
import { repoPath } from './lib/repo-path.js';
import { clusterMarkdown, runClusterRows } from './lib/cluster-rows.js';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const S = readSettings(ROOT);
const tmp = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const backendPorts = [1, 2, 3].map((i) => S.portBase + i);
const upstreamUrls = backendPorts.map((p) => `http://127.0.0.1:${p}`);
const chosen = CANDIDATES.filter((c) => S.only.length === 0 || S.only.includes(c.id));
const portOf = (c: Candidate, offset = 10): number => S.portBase + offset + CANDIDATES.indexOf(c);

function log(msg: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

/** Starts a Node candidate server (or the nginx proxy) on `port`; `nodeArgs` come before the script. */
async function startCandidate(c: Candidate, port: number, nodeArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Running | undefined> {
  if (c.id === 'direct') return undefined;
  if (c.id === 'nginx') {
    return startNginx(
      join(tmp, `nginx-${port}`),
      'nginx-proxy',
      proxyConf(join(tmp, `nginx-${port}`), port, backendPorts, S.nginxKeepalive),
      port,
      S.proxyCore,
    );
  }
  if (!c.script) throw new Error(`${c.id} has no server script`);
  if (c.role === 'switchyard' && !S.source) {
    const pkg = c.id === 'switchyard-fastify' ? 'fastify' : 'express';
    if (!existsSync(join(ROOT, 'packages', pkg, 'dist', 'index.js'))) throw new Error(`packages/${pkg}/dist is missing (build failed?)`);
  }
  if (await portOpen(port)) throw new Error(`port ${port} is already in use (another run? set BENCH_PORT_BASE)`);
  const loader = S.source && c.role === 'switchyard' ? ['--conditions=switchyard-source', '--import', 'tsx'] : [];
  const r = start(c.id, S.proxyCore, process.execPath, [...loader, ...nodeArgs, join(ROOT, 'bench', 'servers', c.script)], {
    env: { ...process.env, ...env, NODE_ENV: 'production', BENCH_PORT: String(port), BENCH_UPSTREAMS: upstreamUrls.join(',') },
    logFile: join(tmp, `${c.id}-${port}.log`),
    cwd: ROOT,
  });
  await waitForPort(port, r);
  return r;
}

/** The report, with the scale-across-cores section when that phase ran. */
function fullMarkdown(results: Results): string {
  const md = markdown(results);
  return results.cluster ? `${md}\n\n${clusterMarkdown(results.cluster, S.rounds, S.durationS, S.connections)}\n` : md;
}

const urlOf = (c: Candidate, port: number): string => `http://127.0.0.1:${c.id === 'direct' ? backendPorts[0] : port}/`;

async function main(): Promise<void> {
  if (!S.skip.has('install')) ensureTools();
  if (!S.skip.has('build') && !S.source) buildPackages(ROOT);
  mkdirSync(S.outDir, { recursive: true });
  const results: Results = {
    machine: describeMachine(ROOT),
    settings: { ...S, skip: [...S.skip], outDir: repoPath(ROOT, S.outDir) },
    candidates: [],
    failover: [],
    hang: [],
    memory: [],
    profiles: [],
  };
  const save = (): void => {
    results.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
    writeFileSync(join(S.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(S.outDir, 'latest.md'), fullMarkdown(results));
  };
  if (results.machine.nproc < 2) log('WARNING: fewer than 2 cores, nothing is pinned: figures are not comparable');

  log(`backends on ${backendPorts.join(', ')} (core ${S.loadCore}), work dir ${tmp}`);
  const backends: Running[] = [];
  for (const [i, port] of backendPorts.entries()) {
    backends.push(await startNginx(join(tmp, 'backends'), `backend${i + 1}`, backendConf(join(tmp, 'backends'), i + 1, port), port, S.loadCore));
  }

  const live = new Map<string, { c: Candidate; port: number; proc?: Running }>();
  for (const c of chosen) {
    const res: CandidateResult = { id: c.id, label: c.label, rounds: [] };
    results.candidates.push(res);
    const port = portOf(c);
    try {
      const proc = await startCandidate(c, port);
      live.set(c.id, { c, port, proc });
      if (!S.skip.has('checks')) {
        res.spread = await checkSpread(c.id === 'direct' ? (backendPorts[0] as number) : port);
        if (c.id !== 'direct') {
          res.reuse = await checkReuse(port, backendPorts, { core: S.loadCore, connections: S.connections, seconds: Math.max(1, S.warmupS / 2) });
        }
        log(
          `${c.id}: bodies ${res.spread.bodies.join(',')} -> ${c.balances ? (res.spread.roundRobin ? 'round robin ok' : 'NOT round robin') : 'ceiling'}` +
            (res.reuse ? `; ${res.reuse.newConnections} new upstream connections in ${res.reuse.requests} requests, ${res.reuse.verdict}` : ''),
        );
      }
    } catch (e) {
      res.unavailable = (e as Error).message.split('\n')[0] ?? 'failed';
      log(`${c.id} unavailable: ${(e as Error).message}`);
    }
  }

  if (!S.skip.has('rounds')) {
    for (let round = 1; round <= S.rounds; round++) {
      for (const { c, port, proc } of live.values()) {
        const cpu0 = proc ? groupCpuMs(proc.pid) : 0;
        const r = await wrk({ url: urlOf(c, port), core: S.loadCore, connections: S.connections, durationS: S.durationS });
        const cpuUs = proc && r.requests > 0 ? ((groupCpuMs(proc.pid) - cpu0) * 1000) / r.requests : undefined;
        const res = results.candidates.find((x) => x.id === c.id);
        res?.rounds.push({ rps: r.rps, p50: r.p50, p99: r.p99, failed: failures(r), cpuUs });
        log(
          `round ${round}/${S.rounds} ${c.id}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms` +
            `${cpuUs !== undefined ? `, ${cpuUs.toFixed(1)} µs CPU/req` : ''}${failures(r) ? `, ${failures(r)} failed` : ''}`,
        );
      }
      save();
    }
    const table = rows(results);
    console.log('');
    for (const r of table) {
      console.log(
        `${r.id.padEnd(24)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50.toFixed(2).padStart(6)}  p99 ${r.p99.toFixed(2).padStart(6)}  ` +
          `cpu ${(r.cpuUs ?? NaN).toFixed(1).padStart(6)} µs/req  vs nginx ${r.vsNginx.toFixed(2)}x` +
          (r.vsBestPeer !== undefined && r.bestPeer !== r.id ? `  vs ${r.bestPeer} ${r.vsBestPeer.toFixed(2)}x` : ''),
      );
    }
  }

  if (!S.skip.has('failover')) {
    for (const id of S.failover.candidates) {
      const entry = live.get(id);
      if (!entry) continue;
      try {
        await waitForPort(backendPorts[1] as number);
        // Warm the pools so the kill hits live keep-alive connections, as it would in production.
        await wrk({ url: urlOf(entry.c, entry.port), core: S.loadCore, connections: S.connections, durationS: 1 });
        const script = join(ROOT, 'bench', 'wrk', 'count-status.lua');
        const load = wrk({ url: urlOf(entry.c, entry.port), core: S.loadCore, connections: S.connections, durationS: S.failover.durationS, script });
        await sleep(S.failover.killAtS * 1000);
        // SIGKILL the master first: a live master would respawn its worker at once.
        await backends[1]?.stop('SIGKILL');
        const r = await load;
        const s = r.socketErrors;
        const socketErrors = s.connect + s.read + s.write + s.timeout;
        results.failover.push({ id, requests: r.requests, rps: r.rps, non2xx: r.non2xx, socketErrors, failed: r.non2xx + socketErrors, statuses: r.statuses });
        log(`failover ${id}: ${r.requests} requests, ${r.non2xx} non-2xx, ${socketErrors} socket errors, statuses ${JSON.stringify(r.statuses)}`);
      } catch (e) {
        results.failover.push({ id, requests: 0, rps: 0, non2xx: 0, socketErrors: 0, failed: 0, error: (e as Error).message.split('\n')[0] });
      } finally {
        const port = backendPorts[1] as number;
        backends[1] = await startNginx(join(tmp, 'backends'), 'backend2', backendConf(join(tmp, 'backends'), 2, port), port, S.loadCore);
      }
    }
    save();
  }

  // The remaining phases use fresh processes: stop the long-running candidates to free the proxy core.
  await Promise.all([...live.values()].map((e) => e.proc?.stop() ?? Promise.resolve()));

  if (!S.skip.has('hang')) {
    results.hang = await runHang(backends);
    save();
  }

  if (!S.skip.has('memory')) {
    const lua = join(ROOT, 'bench', 'wrk', 'stop-after.lua');
    for (const id of S.memory.candidates) {
      const c = CANDIDATES.find((x) => x.id === id);
      if (!c) continue;
      const port = portOf(c, 40);
      let proc: Running | undefined;
      try {
        proc = await startCandidate(c, port);
        if (!proc) throw new Error('no process to measure');
        const entry = { id, startKb: memoryOf(proc.pid).rssKb, checkpoints: [] as Array<{ requests: number; rssKb: number; hwmKb: number }> };
        let done = 0;
        for (const target of S.memory.checkpoints) {
          const r = await wrk({
            url: urlOf(c, port),
            core: S.loadCore,
            connections: S.connections,
            durationS: 3600,
            script: lua,
            scriptArgs: [String(target - done)],
            stopOnLine: 'STOP-AFTER-REACHED',
          });
          done += r.requests;
          const mem = memoryOf(proc.pid);
          entry.checkpoints.push({ requests: done, ...mem });
          log(`memory ${id}: after ${done} requests RSS ${(mem.rssKb / 1024).toFixed(1)} MB (peak ${(mem.hwmKb / 1024).toFixed(1)} MB)`);
        }
        results.memory.push(entry);
      } catch (e) {
        results.memory.push({ id, startKb: 0, checkpoints: [], error: (e as Error).message.split('\n')[0] });
      } finally {
        await proc?.stop();
      }
    }
    save();
  }

  if (!S.skip.has('profile')) {
    const dir = join(S.outDir, 'profiles');
    mkdirSync(dir, { recursive: true });
    for (const id of S.profile.candidates) {
      const c = CANDIDATES.find((x) => x.id === id);
      if (!c?.script) continue;
      const port = portOf(c, 70);
      const file = join(dir, `${id}.cpuprofile`);
      rmSync(file, { force: true });
      let proc: Running | undefined;
      try {
        proc = await startCandidate(c, port, [], { BENCH_CPU_PROFILE: file });
        if (!proc) throw new Error('no process to profile');
        await wrk({ url: urlOf(c, port), core: S.loadCore, connections: S.connections, durationS: Math.max(1, S.warmupS) });
        process.kill(proc.pid, 'SIGUSR2'); // start sampling now that the JIT is warm
        const cpu0 = groupCpuMs(proc.pid);
        const r = await wrk({ url: urlOf(c, port), core: S.loadCore, connections: S.connections, durationS: S.profile.durationS });
        const cpuUs = r.requests > 0 ? ((groupCpuMs(proc.pid) - cpu0) * 1000) / r.requests : undefined;
        await proc?.stop('SIGTERM', 15000); // the profile is written on a clean exit
        proc = undefined;
        const summary = { ...analyzeProfile(file), file: repoPath(ROOT, file) };
        results.profiles.push({ id, file: repoPath(ROOT, file), requests: r.requests, cpuUs, summary });
        log(
          `profile ${id}: ${r.requests} requests, ${(cpuUs ?? NaN).toFixed(1)} µs CPU/req (profiler on), core self ${(summary.coreSelfShare * 100).toFixed(2)}% of busy time`,
        );
      } catch (e) {
        results.profiles.push({ id, file: repoPath(ROOT, file), requests: 0, error: (e as Error).message.split('\n')[0] });
      } finally {
        await proc?.stop();
      }
    }
    save();
  }

  if (!S.skip.has('cluster')) {
    results.cluster = await runClusterRows({
      root: ROOT,
      tmp,
      portBase: S.portBase,
      backendPorts,
      nginxKeepalive: S.nginxKeepalive,
      connections: S.connections,
      durationS: S.durationS,
      rounds: S.rounds,
      warmupS: S.warmupS,
      only: S.cluster.candidates,
      log,
    });
    save();
  }

  save();
  console.log(`\n${fullMarkdown(results)}`);
  log(`written ${join(S.outDir, 'latest.md')} and latest.json`);
}

/**
 * Backend 2 is replaced by a server that accepts and never answers, for the whole load; each
 * candidate starts fresh with a read timeout of S.hang.readTimeoutMs (nginx: proxy_read_timeout).
 * The requests stuck on it time out together and must all be retried elsewhere.
 */
async function runHang(backends: Running[]): Promise<NonNullable<Results['hang']>> {
  const out: NonNullable<Results['hang']> = [];
  const port = backendPorts[1] as number;
  await backends[1]?.stop('SIGKILL');
  const hanging = await startHangingServer(port);
  try {
    for (const id of S.hang.candidates) {
      const c = CANDIDATES.find((x) => x.id === id);
      if (!c) continue;
      const proxyPort = portOf(c, 55);
      let proc: Running | undefined;
      try {
        if (c.id === 'nginx') {
          const dir = join(tmp, `nginx-hang-${proxyPort}`);
          proc = await startNginx(dir, 'nginx-hang', proxyConf(dir, proxyPort, backendPorts, S.nginxKeepalive, S.hang.readTimeoutMs), proxyPort, S.proxyCore);
        } else {
          proc = await startCandidate(c, proxyPort, [], { BENCH_READ_TIMEOUT_MS: String(S.hang.readTimeoutMs) });
        }
        const before = hanging.accepted();
        const script = join(ROOT, 'bench', 'wrk', 'count-status.lua');
        // A request stuck on the hung server legitimately takes the read timeout plus its retry:
        // wrk's own 2 s deadline would count slow successes as errors on a busy machine.
        const timeoutS = Math.ceil(S.hang.readTimeoutMs / 1000) * 3 + 2;
        const r = await wrk({ url: urlOf(c, proxyPort), core: S.loadCore, connections: S.connections, durationS: S.hang.durationS, script, timeoutS });
        const s = r.socketErrors;
        const socketErrors = s.connect + s.read + s.write + s.timeout;
        out.push({ id, requests: r.requests, rps: r.rps, non2xx: r.non2xx, socketErrors, failed: r.non2xx + socketErrors, statuses: r.statuses });
        log(
          `hang ${id}: ${r.requests} requests, ${r.non2xx} non-2xx, socket errors ${JSON.stringify(s)} (wrk timeout ${timeoutS} s), statuses ${JSON.stringify(r.statuses)}, ${hanging.accepted() - before} connections to the hung server`,
        );
      } catch (e) {
        out.push({ id, requests: 0, rps: 0, non2xx: 0, socketErrors: 0, failed: 0, error: (e as Error).message.split('\n')[0] });
      } finally {
        await proc?.stop();
      }
    }
  } finally {
    await hanging.stop();
    backends[1] = await startNginx(join(tmp, 'backends'), 'backend2', backendConf(join(tmp, 'backends'), 2, port), port, S.loadCore);
  }
  return out;
}

try {
  await main();
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
} catch (e) {
  await stopAll();
  console.error(e);
  console.error(`logs and configurations kept in ${tmp}`);
  process.exitCode = 1;
}
