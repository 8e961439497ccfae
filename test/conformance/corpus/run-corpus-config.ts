/** @module Runs one corpus config: localised, on real nginx and on both adapters (through parseNginxConfig), every case sent to each, the answers returned. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNginxConfig, type NginxParseResult } from '@switchyard/core';
import { ADAPTERS } from '../harness/adapter-apps.js';
import { freePort } from '../../helpers/child-scripts.js';
import { nginxConf, startNginx } from '../../helpers/real-nginx.js';
import { writeSelfSigned } from '../../helpers/self-signed.js';
import { send } from './corpus-client.js';
import type { CorpusConfig, View } from './corpus-config.js';

export const FIXTURES = new URL('../../fixtures/nginx-corpus/', import.meta.url).pathname;

export interface CorpusRun {
  /** Why nginx did not start (a config it refuses), else undefined. */
  readonly nginxRefused?: string;
  /** nginx's answer per case name. */
  readonly nginx: ReadonlyMap<string, View>;
  readonly nginxLog: string;
  /** Per adapter: its answers per case name, or why it did not start. */
  readonly adapters: ReadonlyMap<string, ReadonlyMap<string, View> | { readonly failed: string }>;
  /** The import of the localised text, or its error. */
  readonly imported: NginxParseResult | { readonly refused: string };
  /** The localised text both sides ran (the site part for site files). */
  readonly text: string;
}

/** The fixture file as published. */
export function fixtureText(config: CorpusConfig): string {
  return readFileSync(join(FIXTURES, config.name, config.file), 'utf8');
}

/** The localisation map applied; a `from` that the file lacks is an error (the map must not rot). */
export function localise(config: CorpusConfig, values: Readonly<Record<string, string>>): string {
  let text = fixtureText(config);
  for (const [from, to] of config.localise) {
    if (!text.includes(from)) throw new Error(`${config.name}: the localisation "${from}" is not in ${config.file}`);
    text = text.split(from).join(to);
  }
  return text.replace(/\{\{([\w:]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${config.name}: placeholder ${whole} has no value`);
    return value;
  });
}

/** `register(fn)` is node:test's `t.after`: everything started here is stopped even when the test fails. */
export async function runCorpusConfig(config: CorpusConfig, register: (fn: () => Promise<void>) => void): Promise<CorpusRun> {
  const cleanups: Array<() => Promise<void> | void> = [];
  register(async () => {
    for (const fn of cleanups) await fn();
  });
  const after = (fn: () => Promise<void> | void): void => void cleanups.unshift(fn);
  const dir = mkdtempSync(join(tmpdir(), `sy-corpus-${config.name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const values: Record<string, string> = { static: join(FIXTURES, config.name, 'static'), fixture: join(FIXTURES, config.name), dir };
  for (const [name, kind] of Object.entries(config.backends)) {
    const server = await startNamedBackend(name, kind === 'unix' ? join(dir, `${name}.sock`) : undefined);
    after(() => closeServer(server));
    const address = server.address() as AddressInfo | string;
    values[`backend:${name}`] = typeof address === 'string' ? `unix:${address}` : `127.0.0.1:${address.port}`;
  }
  if (config.localise.some(([, to]) => to.includes('{{cert}}') || to.includes('{{key}}'))) {
    const { keyFile, certFile } = writeSelfSigned(dir, { cn: 'localhost', san: 'DNS:localhost' });
    values.cert = certFile;
    values.key = keyFile;
  }
  if (config.localise.some(([, to]) => to.includes('{{dhparam}}'))) {
    values.dhparam = join(dir, 'dhparam.pem');
    execFileSync('openssl', ['dhparam', '-dsaparam', '-out', values.dhparam, '2048'], { stdio: 'ignore' });
  }
  if (config.defaultRoot === true) cpSync(values.static!, join(dir, 'html'), { recursive: true });

  // nginx listens on the port startNginx hands out for the first side the config has; a second side gets another free port.
  const sides = config.localise.map(([, to]) => to);
  const hasHttp = sides.some((to) => to.includes('{{http}}'));
  const hasHttps = sides.some((to) => to.includes('{{https}}'));
  const extraPort = hasHttp && hasHttps ? await freePort() : undefined;
  const sidePorts: Record<string, number> = {};
  let text = '';
  const started = startNginx(dir, (listen) => {
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
    if (hasHttp) sidePorts.http = port;
    if (hasHttps) sidePorts.https = extraPort ?? port;
    text = localise(config, { ...values, http: listen, https: `127.0.0.1:${sidePorts.https ?? port}` });
    return config.whole === true ? text : nginxConf(dir, text);
  });
  let nginxRefused: string | undefined;
  const nginx = await started.catch((err: unknown) => {
    nginxRefused = (err as Error).message;
    return undefined;
  });
  if (nginx !== undefined) after(() => nginx.stop());

  const nginxViews = new Map<string, View>();
  for (const c of nginx === undefined ? [] : config.cases) {
    const side = c.side ?? config.side;
    const port = sidePorts[side];
    if (port === undefined) throw new Error(`${c.name}: the config has no ${side} side`);
    nginxViews.set(c.name, await send(port, side === 'https', c));
  }
  const nginxLog = nginx?.errorLog() ?? nginxRefused ?? '';
  await nginx?.stop();

  let imported: CorpusRun['imported'];
  try {
    // nginx runs with -p dir/: its relative roots and default root (html) are under dir.
    imported = parseNginxConfig(text, { baseDir: dir, prefix: dir });
  } catch (err) {
    imported = { refused: (err as Error).message };
  }
  // A refused config is also given to each adapter as a file (includes are read from disk), to see it refuse it itself.
  const file = join(dir, 'switchyard.conf');
  writeFileSync(file, text);
  const adapters = new Map<string, ReadonlyMap<string, View> | { failed: string }>();
  for (const adapter of ADAPTERS) {
    let running;
    try {
      running = await adapter.start('refused' in imported ? { nginx: file, prefix: dir } : imported);
    } catch (err) {
      adapters.set(adapter.name, { failed: (err as Error).message });
      continue;
    }
    try {
      const views = new Map<string, View>();
      for (const c of config.cases) views.set(c.name, await send(running.port, false, c));
      adapters.set(adapter.name, views);
    } finally {
      await running.close();
    }
  }
  return { ...(nginxRefused !== undefined ? { nginxRefused } : {}), nginx: nginxViews, nginxLog, adapters, imported, text };
}

/** A backend answering `"<name> <url>"` once it has read the whole request body. */
async function startNamedBackend(name: string, socketPath: string | undefined): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${name} ${req.url ?? ''}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (socketPath !== undefined) server.listen(socketPath, () => resolve());
    else server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
