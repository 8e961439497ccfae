// Benchmark backends in a process of their own (so the proxy's CPU is measured alone): one
// HTTP/1.1 and one h2c server per slot, each answering a small text body, counting the
// connections (h1) and sessions (h2c) they were given. Talks to its parent over IPC.
import { createServer as createH1 } from 'node:http';
import { createServer as createH2c } from 'node:http2';

const count = Number(process.argv[2] ?? 2);
const body = Buffer.from('hello from the upstream\n');
const counts = { h1: 0, h2c: 0 };
const servers = [];
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const h1Ports = [];
const h2Ports = [];
for (let i = 0; i < count; i++) {
  const h1 = createH1((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(body);
  });
  h1.keepAliveTimeout = 60_000;
  h1.on('connection', () => counts.h1++);
  const h2 = createH2c((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(body);
  });
  h2.on('session', () => counts.h2c++);
  servers.push(h1, h2);
  h1Ports.push(await listen(h1));
  h2Ports.push(await listen(h2));
}
process.on('message', (m) => {
  if (m === 'counts') process.send({ counts: { ...counts } });
  if (m === 'exit') {
    for (const s of servers) s.close();
    process.exit(0);
  }
});
process.send({ h1Ports, h2Ports });
