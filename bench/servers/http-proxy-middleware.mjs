/** @module Peer: Express 5 + http-proxy-middleware (4.x runs on httpxy) with a keep-alive agent; `router` does the round robin. */
import http from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { port, upstreams, roundRobin, onTerm, ready, closeServer } from './common.mjs';

const next = roundRobin(upstreams);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
const app = express();
app.use(createProxyMiddleware({ target: upstreams[0], router: () => next(), agent }));
const server = app.listen(port, '127.0.0.1', () => ready('express + http-proxy-middleware'));
onTerm(() => closeServer(server, agent));
