/** @module What both adapters log by themselves: the nginx import warnings once at start, one line per failed try (no stack), state changes; Express defaults to the console. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import express from 'express';
import switchyardPlugin from '@switchyard/fastify';
import { switchyard } from '@switchyard/express';
import { backendsFor } from './support/setup.js';
import { bodies } from './support/http.js';

const nginxText = (port: number): string => `upstream api { server 127.0.0.1:${port}; }
server { listen 80; server_name example.com; sendfile on; error_log off; gzip on; location / { proxy_pass http://api; } }`;

const WARNINGS = ['line 2: "sendfile" ignored', 'line 2: "error_log" ignored', 'line 2: "gzip" ignored'];

function recorder(): { lines: string[]; logger: { info(m: string): void; warn(m: string): void; error(m: string): void } } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      info: (m) => lines.push(`info ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
    },
  };
}

/** Replaces console.info/warn/error for the duration of `fn` (restored even when it throws). */
async function withConsole<T>(fn: (lines: string[]) => Promise<T>): Promise<T> {
  const lines: string[] = [];
  const saved = { info: console.info, warn: console.warn, error: console.error };
  console.info = (m: unknown) => void lines.push(`info ${String(m)}`);
  console.warn = (m: unknown) => void lines.push(`warn ${String(m)}`);
  console.error = (m: unknown) => void lines.push(`error ${String(m)}`);
  try {
    return await fn(lines);
  } finally {
    Object.assign(console, saved);
  }
}

describe('startup and try logs', () => {
  it('fastify: nginx import warnings once at start (a summary at warn, each that changes something at warn, each harmless one at debug)', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const lines: Array<{ level: number; msg: string }> = [];
    const app = Fastify({ logger: { level: 'debug', stream: { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) } } });
    t.after(() => app.close());
    await app.register(switchyardPlugin, { nginx: nginxText(backend!.port) });
    await app.ready();
    const ours = lines.filter((l) => l.msg.includes('nginx import'));
    assert.equal(ours.length, 4);
    assert.equal(ours[0]!.level, 40);
    assert.match(
      ours[0]!.msg,
      /^switchyard: nginx import: 3 warnings, 1 that changes what reaches the app \(at warn\) and 2 harmless .*at debug.*\.switchyard\.warnings/,
    );
    // sendfile and error_log are nginx's own business (debug); gzip not imported changes what the client gets (warn).
    assert.deepEqual(
      ours.slice(1).map((l) => l.level),
      [20, 20, 40],
    );
    assert.deepEqual(
      app.switchyard.importNotes.map((n) => n.kind),
      ['harmless', 'harmless', 'changes'],
    );
    WARNINGS.forEach((w, i) => assert.ok(ours[i + 1]!.msg.includes(w), ours[i + 1]!.msg));
    assert.equal(app.switchyard.warnings.length, 3);
  });

  it('express: nginx import warnings once at start, to the given logger and by default to the console', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const { lines, logger } = recorder();
    const lb = switchyard({ nginx: nginxText(backend!.port) }, { logger });
    t.after(() => lb.close());
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^warn switchyard: nginx import: 3 warnings, 1 that changes .* 2 harmless .*at info/);
    // Without a debug level the harmless ones go to info, the one that changes something to warn.
    const levels = ['info', 'info', 'warn'];
    WARNINGS.forEach((w, i) => assert.ok(lines[i + 1]!.startsWith(`${levels[i]} switchyard: nginx import: ${w}`), lines[i + 1]));
    const printed = await withConsole(async (out) => {
      const byDefault = switchyard({ nginx: nginxText(backend!.port) });
      await byDefault.close();
      const silent = switchyard({ nginx: nginxText(backend!.port) }, { logger: false });
      await silent.close();
      return out;
    });
    assert.deepEqual(printed, lines);
  });

  it('fastify and express: { nginx, strict: true } refuses the warning that changes what reaches the app, at its line', async (t) => {
    const [backend] = await backendsFor(t, 1);
    const strictInput = { nginx: nginxText(backend!.port), strict: true };
    const app = Fastify();
    t.after(() => app.close());
    await assert.rejects(
      async () => {
        await app.register(switchyardPlugin, strictInput);
        await app.ready();
      },
      { name: 'NginxParseError', line: 2, message: /"gzip" ignored .*strict: true refuses/ },
    );
    assert.throws(() => switchyard(strictInput, { logger: false }), { name: 'NginxParseError', line: 2, message: /"gzip" ignored/ });
  });

  it('fastify and express: a failed try is one line without a stack (info), then the state change (warn)', async (t) => {
    const backends = await backendsFor(t, 2);
    await backends[0]!.stop();
    const dead = backends[0]!.url;
    const options = { upstreams: { app: backends.map((b) => b.url) }, locations: { '/': 'app' } };
    const expected = [`info switchyard: app ${dead} try failed (connection error)`, `warn switchyard: app ${dead} is failed (passive)`];

    // Fastify: the app's logger (pino), with reply-from's stack-carrying warning left out.
    const pinoLines: Array<{ level: number; msg: string; err?: { stack?: string } }> = [];
    const app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => void pinoLines.push(JSON.parse(l) as { level: number; msg: string }) } } });
    t.after(() => app.close());
    await app.register(switchyardPlugin, options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const fastifyUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    assert.deepEqual(await bodies(`${fastifyUrl}/`, 3), ['Server 2', 'Server 2', 'Server 2']);
    const levels: Record<number, string> = { 30: 'info', 40: 'warn', 50: 'error' };
    assert.deepEqual(
      pinoLines.filter((l) => l.msg.startsWith('switchyard:')).map((l) => `${levels[l.level]} ${l.msg}`),
      expected,
    );
    assert.equal(pinoLines.filter((l) => l.level >= 40 && !l.msg.startsWith('switchyard:')).length, 0);
    assert.equal(pinoLines.filter((l) => l.err?.stack !== undefined).length, 0);

    // Express: the console by default, the same lines.
    const printed = await withConsole(async (out) => {
      const lb = switchyard(options);
      const server = createServer(express().use(lb));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        assert.deepEqual(await bodies(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, 3), ['Server 2', 'Server 2', 'Server 2']);
      } finally {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await lb.close();
        await closed;
      }
      return out;
    });
    assert.deepEqual(printed, expected);
  });
});
