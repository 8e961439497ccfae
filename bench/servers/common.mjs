/** @module What every candidate server shares: its port, the three backends, a clean exit on SIGTERM (so --cpu-prof writes its profile). */
export const port = Number(process.env.BENCH_PORT);
export const upstreams = (process.env.BENCH_UPSTREAMS ?? '').split(',').filter(Boolean);
if (!port || upstreams.length === 0) {
  console.error('BENCH_PORT and BENCH_UPSTREAMS are required');
  process.exit(2);
}

/** The switchyard configuration every adapter candidate runs: the seed pool on '/'. */
export const seedOptions = { upstreams: { seed: upstreams }, locations: { '/': 'seed' } };

/** A hand-written round robin, as a user of a bare proxy library would write it. */
export function roundRobin(items) {
  let i = 0;
  return () => {
    const item = items[i];
    i = (i + 1) % items.length;
    return item;
  };
}

export function onTerm(close) {
  let closing = false;
  const exit = async () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
}

export function ready(what) {
  console.log(`${what} listening on 127.0.0.1:${port} -> ${upstreams.join(' ')}`);
}
