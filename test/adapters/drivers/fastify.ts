/** @module The Fastify driver of the shared scenario suite: a real Fastify app with the plugin, listening on loopback. */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import switchyard from '@switchyard/fastify';
import { userFromHeader, type AdapterDriver, type ProxyUnderTest, type TestUser } from '../driver.js';

export const fastifyDriver: AdapterDriver = {
  name: 'fastify',
  async start(input, options = {}): Promise<ProxyUnderTest> {
    // Fastify parses JSON by default, so `parseJson` needs nothing here.
    const app = Fastify();
    if (options.auth) {
      app.decorateRequest('user', null);
      app.addHook('onRequest', async (request) => {
        (request as typeof request & { user: TestUser | null }).user = userFromHeader(request.headers.authorization);
      });
    }
    try {
      await app.register(switchyard, input);
      await app.listen({ port: 0, host: '127.0.0.1' });
    } catch (err) {
      await app.close();
      throw err;
    }
    const port = (app.server.address() as AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      switchyard: app.switchyard,
      close: () => app.close(),
    };
  },
};
