/** @module Candidate: Express 5 + @switchyard/express with the seed pool imported from an nginx config (nginx's header defaults). */
import express from 'express';
import { switchyard } from '@switchyard/express';
import { port, seedNginx, onTerm, ready, closeServer } from './common.mjs';

const lb = switchyard({ nginx: seedNginx });
const app = express();
app.use(lb);
const server = app.listen(port, '127.0.0.1', () => ready('@switchyard/express (nginx import)'));
server.on('upgrade', lb.upgrade);
onTerm(async () => {
  await lb.close();
  await closeServer(server);
});
