/**
 * @module A node:cluster primary running clusterPrimary() and two workers: the first sends malformed
 * and hostile tagged messages then 1,000 valid changes of one server; the second, forked after,
 * prints the state it is given. The primary prints its log lines; it must outlive all of it.
 */
import cluster from 'node:cluster';
import { clusterPrimary } from '@switchyard/core';

const TAG = '__switchyard';

if (cluster.isPrimary) {
  const primary = clusterPrimary({ log: (m) => console.log(`LOG ${m}`) });
  const sender = cluster.fork({ ROLE: 'sender' });
  sender.on('message', (m: unknown) => {
    if (m !== 'sent') return;
    const reader = cluster.fork({ ROLE: 'reader' });
    reader.on('message', (m: { result?: unknown }) => {
      const state = m.result;
      if (typeof state !== 'object' || state === null || (state as Record<string, unknown>)[TAG] !== 'state') return;
      console.log(`STATE ${JSON.stringify((state as { changes: unknown }).changes)}`);
      primary.stop();
      sender.kill();
      reader.kill();
      console.log('ALIVE');
    });
  });
} else if (process.env.ROLE === 'sender') {
  const send = (m: unknown): void => void process.send!(m);
  send({ [TAG]: 'hello' });
  send({ [TAG]: 'change' });
  send({ [TAG]: 'change', change: null });
  send({ [TAG]: 'health', report: 'x' });
  send({ [TAG]: 'status-part', id: 1 });
  send({ [TAG]: 'nonsense' });
  const server = {
    url: 'http://10.6.6.6:80',
    weight: 5_000_000,
    maxFails: 1,
    failTimeoutMs: 10_000,
    backup: false,
    down: false,
    drain: false,
    maxConns: 0,
    slowStartMs: 0,
  };
  send({ [TAG]: 'change', change: { op: 'add', upstream: 'api', server } });
  send({ [TAG]: 'change', change: { op: 'add', upstream: 'api', server: { ...server, weight: 1, url: 'http://10.6.6.6:80/%%' } } });
  send({ [TAG]: 'change', change: { op: 'set', upstream: 'api', url: 'http://10.6.6.7:80', patch: { weight: 1001 } } });
  // Valid: one added server changed 1,000 times, one added then removed.
  send({ [TAG]: 'change', change: { op: 'add', upstream: 'api', server: { ...server, weight: 2, url: 'http://127.0.0.5:80' } } });
  for (let i = 1; i <= 1000; i++)
    send({ [TAG]: 'change', change: { op: 'set', upstream: 'api', url: 'http://127.0.0.5:80', patch: { weight: (i % 10) + 1 } } });
  send({ [TAG]: 'change', change: { op: 'add', upstream: 'api', server: { ...server, weight: 1, url: 'http://127.0.0.6:80' } } });
  send({ [TAG]: 'change', change: { op: 'remove', upstream: 'api', url: 'http://127.0.0.6:80' } });
  send('sent');
} else {
  process.on('message', (m) => process.send!({ result: m }));
  process.send!({ [TAG]: 'hello' });
}
