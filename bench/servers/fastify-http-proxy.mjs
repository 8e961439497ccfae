/** @module Peer: Fastify + @fastify/http-proxy; it takes one upstream, so a hand-written round robin goes through getUpstream. */
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';
import { port, upstreams, roundRobin, onTerm, ready } from './common.mjs';

const next = roundRobin(upstreams);
const app = Fastify({ logger: false });
// upstream '' + getUpstream: reply-from runs without `base`, on an undici Agent (one keep-alive pool per origin).
await app.register(proxy, { upstream: '', replyOptions: { getUpstream: () => next() } });
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('@fastify/http-proxy');
