/** @module Candidate: Express 5 + @switchyard/express with the seed configuration (resolves to the built dist). */
import express from 'express';
import { switchyard } from '@switchyard/express';
import { port, seedOptions, onTerm, ready, closeServer } from './common.mjs';

const lb = switchyard(seedOptions);
const app = express();
app.use(lb);
const server = app.listen(port, '127.0.0.1', () => ready('@switchyard/express'));
server.on('upgrade', lb.upgrade);
onTerm(async () => {
  await lb.close();
  await closeServer(server);
});
