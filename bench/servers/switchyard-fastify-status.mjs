/** @module Candidate: Fastify + @switchyard/fastify with the status page on (its history samples every request's response time), for the status on/off A/B. */
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import { port, seedOptions, onTerm, ready } from './common.mjs';

const app = Fastify({ logger: false });
await app.register(switchyard, { ...seedOptions, status: { path: '/switchyard/status' } });
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('@switchyard/fastify, status page on');
