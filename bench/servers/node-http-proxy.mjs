/** @module Peer (no framework): node:http + http-proxy with a keep-alive agent and a hand-written round robin. */
import http from 'node:http';
import httpProxy from 'http-proxy';
import { port, upstreams, roundRobin, onTerm, ready, closeServer } from './common.mjs';

const next = roundRobin(upstreams);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
const proxy = httpProxy.createProxyServer({ agent });
proxy.on('error', (_err, _req, res) => {
  if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502).end();
  else res?.destroy?.();
});
const server = http.createServer((req, res) => proxy.web(req, res, { target: next() }));
server.listen(port, '127.0.0.1', () => ready('node:http + http-proxy'));
onTerm(() => closeServer(server, agent));
