/** @module What every candidate server shares: its port, the three backends, a clean exit on SIGTERM (so --cpu-prof writes its profile). */
export const port = Number(process.env.BENCH_PORT);
export const upstreams = (process.env.BENCH_UPSTREAMS ?? '').split(',').filter(Boolean);
if (!port || upstreams.length === 0) {
  console.error('BENCH_PORT and BENCH_UPSTREAMS are required');
  process.exit(2);
}

/**
 * The switchyard configuration every adapter candidate runs: the seed pool on '/'.
 * BENCH_SEED_RETRY (JSON, diagnostics only) sets the pool's `retry`, e.g. '{"budget":false}'.
 * BENCH_READ_TIMEOUT_MS sets its `timeouts.read` (the hang scenario).
 */
const seed = { servers: upstreams };
if (process.env.BENCH_SEED_RETRY) seed.retry = JSON.parse(process.env.BENCH_SEED_RETRY);
if (process.env.BENCH_READ_TIMEOUT_MS) seed.timeouts = { read: Number(process.env.BENCH_READ_TIMEOUT_MS) };
export const seedOptions = {
  upstreams: { seed: Object.keys(seed).length === 1 ? upstreams : seed },
  locations: { '/': 'seed' },
};

/** The same seed pool as an nginx config, for the `*-nginx.mjs` candidates (what an imported config costs). */
export const seedNginx = `upstream seed {\n${upstreams.map((u) => `  server ${u.replace(/^https?:\/\//, '')};`).join('\n')}\n}\nserver { location / { proxy_pass http://seed; } }\n`;

/** A hand-written round robin, as a user of a bare proxy library would write it. */
export function roundRobin(items) {
  let i = 0;
  return () => {
    const item = items[i];
    i = (i + 1) % items.length;
    return item;
  };
}

/**
 * BENCH_CPU_PROFILE=file: V8's sampling profiler (what `node --cpu-prof` runs) through node:inspector,
 * started by SIGUSR2 once the harness has warmed the server up, so module loading and JIT warm-up
 * stay out of the profile; it is written on SIGTERM.
 */
let stopProfile = async () => {};
if (process.env.BENCH_CPU_PROFILE) {
  const file = process.env.BENCH_CPU_PROFILE;
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROFILE_INTERVAL_US ?? 1000) });
  let started = false;
  process.on('SIGUSR2', () => {
    started = true;
    void post('Profiler.start');
  });
  stopProfile = async () => {
    if (!started) return;
    const { profile } = await post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
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
      await stopProfile();
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
}

/** Closes a node:http server and its open connections (and destroys the peer's agent, if any). */
export function closeServer(server, agent) {
  return new Promise((res) => {
    agent?.destroy();
    server.close(() => res());
    server.closeAllConnections();
  });
}

export function ready(what) {
  console.log(`${what} listening on 127.0.0.1:${port} -> ${upstreams.join(' ')}`);
}
