/** @module A real DNS server for the discovery tests: Debian's dnsmasq on a free loopback port, answers from a hosts file (rewritten + SIGHUP). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { aptInstall } from '../../helpers/apt-install.js';

export const DNSMASQ_PATH = '/usr/sbin/dnsmasq';

/** Installs dnsmasq with apt-get when missing (apt-get update once if the package is unknown; waits out a dpkg lock). */
export async function ensureDnsmasq(): Promise<void> {
  // RUNLEVEL=1: Debian's invoke-rc.d does not start the packaged service (it would take port 53).
  const failed = aptInstall('dnsmasq', DNSMASQ_PATH, { RUNLEVEL: '1' });
  if (failed !== undefined) throw new Error(`dnsmasq is not installed and ${failed}`);
}

export interface DnsServer {
  /** `127.0.0.1:<port>` for `resolver.servers`. */
  readonly address: string;
  readonly port: number;
  /** Replace the answers (`'127.0.0.2 api.test'` lines) and make dnsmasq re-read them. */
  setHosts(lines: string[]): Promise<void>;
  /** Kill the server (lookups then fail: connection refused / timeout). */
  stop(): Promise<void>;
  /** Rewrite the answers without signalling (for a stopped server; `restart()` reads them). */
  setHostsFile(lines: string[]): Promise<void>;
  /** How many queries for `name` (any type) dnsmasq has logged so far. */
  queries(name: string): number;
  /** Start it again on the same port with the current answers (after `stop()`). */
  restart(): Promise<void>;
}

export interface DnsOptions {
  hosts: string[];
  /** dnsmasq `--srv-host` values: `_http._tcp.svc.test,a.test,8080,0,5`. */
  srv?: string[];
}

/** dnsmasq for the `.test` domain only: unknown `.test` names are NXDOMAIN, TTL 1 s, nothing forwarded. */
export async function startDns(options: DnsOptions): Promise<DnsServer> {
  await ensureDnsmasq();
  const dir = mkdtempSync(join(tmpdir(), 'sy-dns-'));
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, options.hosts.join('\n') + '\n');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const args = [
      `--port=${port}`,
      '--no-daemon',
      '--no-resolv',
      '--no-hosts',
      `--addn-hosts=${hostsFile}`,
      '--local-ttl=1',
      '--local=/test/',
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--cache-size=0',
      '--log-queries',
      `--log-facility=${join(dir, 'queries.log')}`,
      `--pid-file=${join(dir, 'pid')}`,
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ...(options.srv ?? []).map((s) => `--srv-host=${s}`),
    ];
    let child = spawn(DNSMASQ_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const up = await answering(child, port);
    if (!up) {
      child.kill('SIGKILL');
      if (/address already in use/i.test(stderr)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dnsmasq did not start: ${stderr.trim()}`);
    }
    let stopped = false;
    // The hosts file outlives stop() (restart() reads it again): removed when the test process ends.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return {
      address: `127.0.0.1:${port}`,
      port,
      async setHosts(lines) {
        writeFileSync(hostsFile, lines.join('\n') + '\n');
        child.kill('SIGHUP');
        // SIGHUP is handled asynchronously: wait until the new first line answers (bounded).
        await settled(port, lines);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        else return;
        await exited;
      },
      queries(name) {
        let text = '';
        try {
          text = readFileSync(join(dir, 'queries.log'), 'utf8');
        } catch {
          return 0;
        }
        return text.split('\n').filter((l) => / query\[[A-Z]+\] /.test(l) && l.includes(`] ${name} from`)).length;
      },
      async setHostsFile(lines) {
        writeFileSync(hostsFile, lines.join('\n') + '\n');
      },
      async restart() {
        if (!stopped) return;
        child = spawn(DNSMASQ_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        stopped = false;
        if (!(await answering(child, port))) throw new Error('dnsmasq did not restart');
      },
    };
  }
  throw new Error('dnsmasq: no free port after 5 tries');
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Polls until dnsmasq answers a query at all (NXDOMAIN counts), at most ~5 s. */
async function answering(child: ChildProcess, port: number): Promise<boolean> {
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  for (let i = 0; i < 25; i++) {
    if (child.exitCode !== null) return false;
    try {
      await resolver.resolve4('probe.test');
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTFOUND') return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Waits until the first `address name` line of the new hosts file is answered (at most ~5 s). */
async function settled(port: number, lines: string[]): Promise<void> {
  const first = lines.map((l) => l.trim().split(/\s+/)).find((parts) => parts.length >= 2 && !parts[0]!.includes(':'));
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  for (let i = 0; i < 50; i++) {
    if (first === undefined) {
      await new Promise((r) => setTimeout(r, 100));
      return;
    }
    try {
      const found = await resolver.resolve4(first[1]!);
      if (found.includes(first[0]!)) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
