/** @module Candidate: Fastify + @switchyard/fastify with the seed configuration (resolves to the built dist). */
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import { port, seedOptions, onTerm, ready } from './common.mjs';

const app = Fastify({ logger: false });
await app.register(switchyard, seedOptions);
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('@switchyard/fastify');
