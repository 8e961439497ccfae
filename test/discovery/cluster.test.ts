/** @module Two node:cluster workers behind one port follow a DNS change together (each keeps its own pool; both follow the same answers). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { freePort, repoRoot } from '../helpers/child-scripts.js';
import { startDns } from './support/dnsmasq.js';
import { startAddressBackends } from './support/address-backends.js';

function get(url: string): Promise<{ status: number; body: string; worker: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each: the primary hands connections to the workers in turn.
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, worker: String(res.headers['x-worker']) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('two cluster workers sharing one port both move to the new answer', async (t) => {
  const backends = await startAddressBackends(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  t.after(() => backends.close());
  const dns = await startDns({ hosts: ['127.0.0.2 cl.test', '127.0.0.3 cl.test'] });
  t.after(() => dns.stop());
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', 'test/discovery/support/cluster-app.ts'], {
    cwd: repoRoot,
    env: { ...process.env, SY_PORT: String(port), SY_DNS: dns.address, SY_NAME: 'cl.test', SY_BACKEND_PORT: String(backends.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
    clearTimeout(killer);
  });
  for (let i = 0; i < 200 && !out.includes(`ready ${port}`); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(out, new RegExp(`ready ${port}`), out);
  const url = `http://127.0.0.1:${port}/`;

  const before = new Map<string, Set<string>>();
  for (let i = 0; i < 12; i++) {
    const r = await get(url);
    assert.equal(r.status, 200);
    if (!before.has(r.worker)) before.set(r.worker, new Set());
    before.get(r.worker)!.add(r.body);
  }
  assert.equal(before.size, 2, 'both workers answered');
  for (const seen of before.values()) assert.deepEqual([...seen].sort(), ['127.0.0.2', '127.0.0.3']);

  await dns.setHosts(['127.0.0.4 cl.test']);
  // Until each worker has served the new address (bounded), then every answer from both is the new one.
  const moved = new Set<string>();
  for (let i = 0; i < 400 && moved.size < 2; i++) {
    const r = await get(url);
    assert.equal(r.status, 200);
    if (r.body === '127.0.0.4') moved.add(r.worker);
    else await new Promise((res) => setTimeout(res, 25));
  }
  assert.equal(moved.size, 2, 'both workers moved');
  const after = new Map<string, Set<string>>();
  for (let i = 0; i < 12; i++) {
    const r = await get(url);
    if (!after.has(r.worker)) after.set(r.worker, new Set());
    after.get(r.worker)!.add(r.body);
  }
  assert.equal(after.size, 2);
  for (const seen of after.values()) assert.deepEqual([...seen], ['127.0.0.4']);
});
