/** @module Shared-suite driver for @switchyard/express: Express 5, optional express.json(), `lb.upgrade` on the server. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { switchyard } from '@switchyard/express';
import { userFromHeader, type AdapterDriver, type ProxyUnderTest, type TestUser } from '../driver.js';

export const expressDriver: AdapterDriver = {
  name: 'express',
  async start(input, options = {}): Promise<ProxyUnderTest> {
    const lb = switchyard(input);
    const app = express();
    if (options.parseJson) app.use(express.json());
    if (options.auth) {
      app.use((req, _res, next) => {
        (req as typeof req & { user: TestUser | null }).user = userFromHeader(req.headers.authorization);
        next();
      });
    }
    app.use(lb);
    const server = createServer(app);
    server.on('upgrade', lb.upgrade);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      switchyard: lb.switchyard,
      async close() {
        await lb.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      },
    };
  },
};
