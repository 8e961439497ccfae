/** @module Candidate: Fastify + @switchyard/fastify with Fastify's request logging and switchyard's access log fields on (pino to /dev/null). */
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import { port, seedOptions, onTerm, ready } from './common.mjs';

const app = Fastify({ logger: { level: 'info', file: '/dev/null' } });
await app.register(switchyard, { ...seedOptions, accessLog: true });
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('@switchyard/fastify, request log + access log');
