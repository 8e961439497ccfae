// Records which server a real nginx picks for many hash keys and client addresses (hash, hash consistent,
// ip_hash), so test/core/balancer can check switchyard reproduces nginx key for key.
// Run once, commit the JSON: `node scripts/gen-nginx-hash-fixtures.mjs` (needs the `nginx` binary, e.g.
// `apt-get install -y nginx-light`). It runs nginx on 127.0.0.1 only and stops it before exiting.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'test/fixtures/nginx-hash');
const FRONT = 18080;
const PORTS = [80, 18081, 18082, 18083, 18084];

/** Each pool: its balancing directive and `server` lines as nginx reads them. */
const POOLS = [
  {
    name: 'chash-weighted',
    directive: 'hash $arg_k consistent',
    servers: [
      { addr: '127.0.0.1:18081', weight: 1 },
      { addr: '127.0.0.1:18082', weight: 2 },
      { addr: '127.0.0.1:18083', weight: 1 },
    ],
  },
  {
    name: 'chash-down',
    directive: 'hash $arg_k consistent',
    servers: [{ addr: '127.0.0.1:18081' }, { addr: '127.0.0.1:18082', down: true }, { addr: '127.0.0.1:18083', weight: 3 }, { addr: '127.0.0.1:18084' }],
  },
  {
    // `server 127.0.0.1;` has no port in its name: the ring hashes an empty port (nginx connects to 80).
    name: 'chash-noport',
    directive: 'hash $arg_k consistent',
    servers: [{ addr: '127.0.0.1' }, { addr: '127.0.0.1:18082' }, { addr: '127.0.0.1:18083', weight: 2 }],
  },
  {
    name: 'hash-weighted',
    directive: 'hash $arg_k',
    servers: [
      { addr: '127.0.0.1:18081', weight: 1 },
      { addr: '127.0.0.1:18082', weight: 2 },
      { addr: '127.0.0.1:18083', weight: 1 },
    ],
  },
  {
    name: 'hash-down',
    directive: 'hash $arg_k',
    servers: [{ addr: '127.0.0.1:18081' }, { addr: '127.0.0.1:18082', down: true }, { addr: '127.0.0.1:18083', weight: 2 }, { addr: '127.0.0.1:18084' }],
  },
  {
    name: 'iphash-weighted',
    directive: 'ip_hash',
    servers: [
      { addr: '127.0.0.1:18081', weight: 1 },
      { addr: '127.0.0.1:18082', weight: 2 },
      { addr: '127.0.0.1:18083', weight: 1 },
    ],
  },
  {
    name: 'iphash-down',
    directive: 'ip_hash',
    servers: [{ addr: '127.0.0.1:18081' }, { addr: '127.0.0.1:18082', down: true }, { addr: '127.0.0.1:18083', weight: 2 }, { addr: '127.0.0.1:18084' }],
  },
];

/** A small seeded generator, so a rerun asks the same questions. */
function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function keys() {
  const rnd = mulberry32(1);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/:';
  const out = ['', 'a', 'user-1', '/index.html', '/api/users/1', '127.0.0.1'];
  for (let i = 0; out.length < 150; i++) out.push(`k${i}`);
  while (out.length < 300) {
    let s = '';
    const len = 1 + Math.floor(rnd() * 40);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    out.push(s);
  }
  return out;
}

function addresses() {
  const rnd = mulberry32(2);
  const byte = () => Math.floor(rnd() * 256);
  // (255.255.255.255 is left out: nginx's realip cannot parse it, it is INADDR_NONE.)
  const out = ['127.0.0.1', '10.0.0.1', '10.0.0.200', '192.168.1.1', '0.0.0.0', '255.255.255.254'];
  while (out.length < 200) out.push(`${byte()}.${byte()}.${byte()}.${byte()}`);
  out.push('::1', '::', '2001:db8::1', '2001:db8::2', 'fe80::1', '64:ff9b::192.0.2.33', '2001:db8:0:0:1:0:0:1');
  const word = () => Math.floor(rnd() * 65536).toString(16);
  while (out.length < 300) out.push(Array.from({ length: 8 }, word).join(':'));
  return out;
}

function serverLine({ addr, weight, down }) {
  return `server ${addr}${weight ? ` weight=${weight}` : ''}${down ? ' down' : ''} max_fails=0;`;
}

function config(dir) {
  const upstreams = POOLS.map((p) => `  upstream ${p.name} {\n    ${p.directive};\n    ${p.servers.map(serverLine).join('\n    ')}\n  }`).join('\n');
  const backends = PORTS.map((port) => `  server { listen 127.0.0.1:${port}; location / { return 200 "${port}"; } }`).join('\n');
  const locations = POOLS.map((p) => `    location /${p.name} { proxy_pass http://${p.name}; }`).join('\n');
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${upstreams}
${backends}
  server {
    listen 127.0.0.1:${FRONT};
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Real-IP;
${locations}
  }
}
`;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: FRONT, path, headers, agent, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

async function waitUp() {
  for (let i = 0; i < 100; i++) {
    try {
      await get('/chash-weighted?k=ping');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('nginx did not start');
}

const urlOf = (addr) => `http://${addr}`;

const dir = mkdtempSync(join(tmpdir(), 'sy-nginx-'));
for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
writeFileSync(join(dir, 'nginx.conf'), config(dir));
const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] });
const exited = new Promise((resolve) => nginx.on('exit', resolve));
try {
  await waitUp();
  const nginxVersion = execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' })
    .trim()
    .replace(/^nginx version: /, '');
  mkdirSync(outDir, { recursive: true });
  for (const pool of POOLS) {
    const isIp = pool.directive === 'ip_hash';
    const inputs = isIp ? addresses() : keys();
    const cases = [];
    for (const input of inputs) {
      const port = isIp ? await get(`/${pool.name}`, { 'X-Real-IP': input }) : await get(`/${pool.name}?k=${input}`);
      const server = pool.servers.find((s) => (s.addr.includes(':') ? s.addr.endsWith(`:${port}`) : port === '80'));
      if (!server) throw new Error(`${pool.name}: unexpected answer ${port}`);
      cases.push(isIp ? { clientIp: input, url: urlOf(server.addr) } : { key: input, url: urlOf(server.addr) });
    }
    const fixture = {
      generatedBy: 'scripts/gen-nginx-hash-fixtures.mjs',
      nginx: nginxVersion,
      directive: `${pool.directive};`,
      servers: pool.servers.map((s) => ({ url: urlOf(s.addr), weight: s.weight ?? 1, down: s.down === true })),
      cases,
    };
    // One server / case per line keeps the committed files readable and diffs small.
    const lines = (list) => list.map((x) => `    ${JSON.stringify(x)}`).join(',\n');
    const head = JSON.stringify({ generatedBy: fixture.generatedBy, nginx: fixture.nginx, directive: fixture.directive }, null, 2).slice(0, -2);
    writeFileSync(
      join(outDir, `${pool.name}.json`),
      `${head},\n  "servers": [\n${lines(fixture.servers)}\n  ],\n  "cases": [\n${lines(fixture.cases)}\n  ]\n}\n`,
    );
    console.log(`${pool.name}: ${cases.length} cases`);
  }
} finally {
  agent.destroy();
  nginx.kill('SIGQUIT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
