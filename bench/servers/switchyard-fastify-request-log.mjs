/** @module Candidate: Fastify + @switchyard/fastify with Fastify's own request logging on (pino to /dev/null), for the access log's cost. */
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import { port, seedOptions, onTerm, ready } from './common.mjs';

const app = Fastify({ logger: { level: 'info', file: '/dev/null' } });
await app.register(switchyard, seedOptions);
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('@switchyard/fastify, request log');
