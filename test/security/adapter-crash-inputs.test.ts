/** @module Security: inputs that used to end the process (a throwing hash key on upgrades, failover picks and small bodies; a header value Node refuses) run against a child process that must stay alive, answer one-line errors and keep serving (both adapters). */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../helpers/child-scripts.js';
import { rawSend, type RawResponse } from '../reliability/support/raw-client.js';

interface Child {
  readonly port: number;
  readonly process: ChildProcess;
  readonly logs: string[];
  exited: boolean;
}

async function startChild(adapter: string): Promise<Child> {
  const child = spawn(process.execPath, ['--conditions=switchyard-source', '--import', 'tsx', 'test/security/support/crash-app.ts', adapter], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'development' },
  });
  const state: Child = { port: 0, process: child, logs: [], exited: false };
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child not ready: ${out} ${err}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          resolve(Number(line.slice(6)));
        } else if (line.startsWith('LOG ')) state.logs.push(line.slice(4));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}): ${err}`));
    });
  });
  child.once('exit', () => (state.exited = true));
  return {
    ...state,
    port,
    process: child,
    logs: state.logs,
    get exited() {
      return state.exited;
    },
  };
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  await exited;
}

interface Snapshot {
  upstreams: Record<string, { servers: Array<{ fails: number; state: string; active: number }> }>;
}

async function snapshot(port: number): Promise<Snapshot> {
  const status = await rawSend(port, get('/switchyard/status', 'Accept: application/json\r\n'), { responses: 1 });
  return JSON.parse(status.responses[0]?.body.toString() ?? '{}') as Snapshot;
}

function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: proxy\r\n${extra}Connection: close\r\n\r\n`;
}

function upgrade(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: proxy\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
}

/** One response, a one-line plain-text body: no stack, no file path, no JSON error. */
function assertOneLine(res: RawResponse | undefined, status: number): void {
  assert.ok(res, 'an answer');
  assert.equal(res.status, status);
  const text = res.body.toString();
  assert.equal(text.trimEnd().split('\n').length, 1, `one line: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /\bat |\/work\/|node_modules|\{"/, 'no stack, path or JSON error');
}

const FORMS: Array<{ name: string; raw: string; status: number }> = [
  { name: 'GET through the throwing key', raw: get('/hash/x'), status: 500 },
  {
    name: 'POST with a small body (held, promise path)',
    raw: 'POST /hash/x HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    status: 500,
  },
  {
    name: 'GET with a small body (read before the pick, promise path)',
    raw: 'GET /hash/x HTTP/1.1\r\nHost: proxy\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
    status: 500,
  },
  { name: 'failover pick into a tier of two (after a refused connection)', raw: get('/failover/x'), status: 500 },
  { name: 'retry pick after a 503 (retry on status)', raw: get('/retry/x'), status: 500 },
  { name: 'WebSocket upgrade through the throwing key', raw: upgrade('/hash/ws'), status: 500 },
  { name: 'WebSocket upgrade, failover pick into a tier of two', raw: upgrade('/failover/ws'), status: 500 },
  { name: 'a header value setHeader refuses (set by an app hook)', raw: get('/ok/x', 'X-Make-Bad: 1\r\n'), status: 502 },
  { name: 'a WebSocket upgrade with a header value setHeader refuses', raw: upgrade('/ok/ws', 'X-Make-Bad: 1\r\n'), status: 502 },
];

for (const adapter of ['fastify', 'express']) {
  describe(`inputs that used to end the process, ${adapter} (child process)`, () => {
    let child: Child;
    before(async () => {
      child = await startChild(adapter);
    });
    after(async () => {
      await stopChild(child);
    });

    for (const form of FORMS) {
      test(`${form.name}: one-line ${form.status}, the process stays up and keeps serving`, async () => {
        const logsBefore = child.logs.length;
        const out = await rawSend(child.port, form.raw, { maxMs: 5000 });
        assertOneLine(out.responses[0], form.status);
        const ok = await rawSend(child.port, get('/ok/after'), { responses: 1, maxMs: 5000 });
        assert.equal(ok.responses[0]?.status, 200, 'still serving');
        assert.equal(child.process.exitCode, null, 'still alive');
        const lines = child.logs.slice(logsBefore);
        assert.equal(lines.length, 1, `one log line: ${JSON.stringify(lines)}`);
        assert.match(lines[0] ?? '', new RegExp(`answered ${form.status}`));
      });
    }

    test('the key works when the header is there, on plain requests and upgrades', async () => {
      const plain = await rawSend(child.port, get('/hash/x', 'X-Tenant: ACME\r\n'), { responses: 1 });
      assert.equal(plain.responses[0]?.status, 200);
      const ws = await rawSend(child.port, upgrade('/hash/ws', 'X-Tenant: ACME\r\n'), { responses: 1, maxMs: 3000 });
      assert.equal(ws.responses[0]?.status, 101);
    });

    test('a request that could not be built never counted against a server', async () => {
      for (let i = 0; i < 3; i++) {
        const out = await rawSend(child.port, get('/ok/x', 'X-Make-Bad: 1\r\n'), { responses: 1 });
        assert.equal(out.responses[0]?.status, 502);
      }
      const plain = (await snapshot(child.port)).upstreams.plain;
      assert.ok(plain);
      for (const server of plain.servers) {
        assert.equal(server.fails, 0, 'no failure counted');
        assert.equal(server.state, 'up');
      }
      // The tunnel of the previous test closes as its client socket goes: wait for it (bounded).
      let active = -1;
      for (let i = 0; i < 100 && active !== 0; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const all = Object.values((await snapshot(child.port)).upstreams).flatMap((u) => u.servers);
        active = all.reduce((sum, server) => sum + server.active, 0);
      }
      assert.equal(active, 0, 'nothing left active after every crash form');
    });
  });
}
