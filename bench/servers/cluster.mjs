/** @module Runs another candidate script (BENCH_CLUSTER_SCRIPT) in BENCH_WORKERS node:cluster workers sharing one port; SIGTERM stops them all. */
import cluster from 'node:cluster';

const workers = Math.max(1, Number(process.env.BENCH_WORKERS ?? 2));
const script = process.env.BENCH_CLUSTER_SCRIPT;
if (!script || script.includes('/')) {
  console.error('BENCH_CLUSTER_SCRIPT must name a script of bench/servers');
  process.exit(2);
}

if (cluster.isPrimary) {
  // Round robin in the primary (Node's default on Linux): it accepts and hands each connection on.
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    const force = setTimeout(() => process.exit(0), 4000);
    force.unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  cluster.on('exit', (w, code) => {
    if (!stopping) console.error(`worker ${w.process.pid} exited (${code}); the row is invalid`);
  });
} else {
  await import(`./${script}`);
}
