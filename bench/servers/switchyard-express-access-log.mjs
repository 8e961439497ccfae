/** @module Candidate: Express 5 + @switchyard/express with the access log (`upstream` format) written to a /dev/null file stream. */
import express from 'express';
import { createWriteStream } from 'node:fs';
import { switchyard } from '@switchyard/express';
import { port, seedOptions, onTerm, ready, closeServer } from './common.mjs';

const lb = switchyard({ ...seedOptions, accessLog: true }, { accessLog: createWriteStream('/dev/null') });
const app = express();
app.use(lb);
const server = app.listen(port, '127.0.0.1', () => ready('@switchyard/express, access log'));
server.on('upgrade', lb.upgrade);
onTerm(async () => {
  await lb.close();
  await closeServer(server);
});
