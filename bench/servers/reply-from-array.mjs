/** @module Peer: Fastify + @fastify/reply-from with `base` as an array (undici BalancedPool). */
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';
import { port, upstreams, onTerm, ready } from './common.mjs';

const app = Fastify({ logger: false });
await app.register(replyFrom, { base: upstreams });
const handler = (req, reply) => reply.from(req.url);
app.all('/', handler);
app.all('/*', handler);
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('reply-from base array');
