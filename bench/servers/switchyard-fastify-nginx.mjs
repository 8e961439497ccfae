/** @module Candidate: Fastify + @switchyard/fastify with the seed pool imported from an nginx config (nginx's header defaults). */
import Fastify from 'fastify';
import switchyard from '@switchyard/fastify';
import { port, seedNginx, onTerm, ready } from './common.mjs';

const app = Fastify({ logger: false });
await app.register(switchyard, { nginx: seedNginx });
await app.listen({ host: '127.0.0.1', port });
onTerm(() => app.close());
ready('@switchyard/fastify (nginx import)');
