/**
 * @module A small real DNS server on node:dgram for answers dnsmasq will not give: any TTL (up to
 * 2^32-1 s), SRV weights up to 65535, and REFUSED for chosen query types (a server that answers A
 * but refuses AAAA). Listens on 127.0.0.1, port 0; counts the queries per name and type.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface TinyDnsRecords {
  /** name -> IPv4 addresses. */
  a?: Record<string, string[]>;
  /** name -> SRV records (target names answered from `a`). */
  srv?: Record<string, Array<{ priority: number; weight: number; port: number; target: string }>>;
  /** TTL of every answer in seconds. Default 1. */
  ttl?: number;
  /** Query types answered with REFUSED (rcode 5), e.g. ['AAAA']. */
  refuse?: string[];
}

export interface TinyDns {
  /** `127.0.0.1:<port>` for `resolver.servers`. */
  readonly address: string;
  /** Queries seen for `name` of `type` ('A', 'AAAA', 'SRV'). */
  queries(name: string, type: string): number;
  /** Resolves once `name` of `type` has been queried `count` times in all (bounded by the caller's test timeout). */
  queried(name: string, type: string, count: number): Promise<void>;
  stop(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: 'A', 28: 'AAAA', 33: 'SRV' };

export async function startTinyDns(records: TinyDnsRecords): Promise<TinyDns> {
  const socket: Socket = createSocket('udp4');
  const counts = new Map<string, number>();
  const waiters: Array<{ key: string; count: number; resolve: () => void }> = [];
  socket.on('message', (query, peer) => {
    const parsed = parseQuestion(query);
    if (parsed === undefined) return;
    const type = TYPES[parsed.qtype] ?? String(parsed.qtype);
    const key = `${parsed.name.toLowerCase()} ${type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const w of waiters.splice(0)) {
      if ((counts.get(w.key) ?? 0) >= w.count) w.resolve();
      else waiters.push(w);
    }
    socket.send(answer(query, parsed, type, records), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    address: `127.0.0.1:${port}`,
    queries: (name, type) => counts.get(`${name} ${type}`) ?? 0,
    queried(name, type, count) {
      const key = `${name} ${type}`;
      if ((counts.get(key) ?? 0) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ key, count, resolve }));
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

interface Question {
  name: string;
  qtype: number;
  /** Offset just past the question (the answer copies it). */
  end: number;
}

function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (let guard = 0; guard < 64; guard++) {
    const len = msg[at];
    if (len === undefined || len > 63) return undefined;
    at++;
    if (len === 0) break;
    labels.push(msg.subarray(at, at + len).toString('latin1'));
    at += len;
  }
  if (at + 4 > msg.length) return undefined;
  return { name: labels.join('.'), qtype: msg.readUInt16BE(at), end: at + 4 };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((p) => p !== '');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])), Buffer.from([0])]);
}

function answer(query: Buffer, q: Question, type: string, records: TinyDnsRecords): Buffer {
  const ttl = records.ttl ?? 1;
  const rdatas: Array<{ type: number; data: Buffer }> = [];
  let rcode = 0;
  const name = q.name.toLowerCase();
  if (records.refuse?.includes(type) === true) rcode = 5;
  else if (type === 'A') {
    const found = records.a?.[name];
    if (found === undefined && records.srv?.[name] === undefined) rcode = 3;
    for (const ip of found ?? []) rdatas.push({ type: 1, data: Buffer.from(ip.split('.').map(Number)) });
  } else if (type === 'SRV') {
    const found = records.srv?.[name];
    if (found === undefined && records.a?.[name] === undefined) rcode = 3;
    for (const r of found ?? []) {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.priority, 0);
      head.writeUInt16BE(r.weight, 2);
      head.writeUInt16BE(r.port, 4);
      rdatas.push({ type: 33, data: Buffer.concat([head, encodeName(r.target)]) });
    }
  } else if (records.a?.[name] === undefined && records.srv?.[name] === undefined) {
    rcode = 3;
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, AA, RD copied, RA; the rcode in the low bits.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdatas.length, 6);
  const answers = rdatas.map((r) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0);
    fixed.writeUInt16BE(r.type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(ttl, 6);
    fixed.writeUInt16BE(r.data.length, 10);
    return Buffer.concat([fixed, r.data]);
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...answers]);
}
