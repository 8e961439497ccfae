/** @module Helpers for the Fastify-specific tests: an app with the plugin on loopback, cleaned up after the test. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TestContext } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { SwitchyardInput } from '@switchyard/core';
import switchyard from '@switchyard/fastify';

export interface RunningApp {
  app: FastifyInstance;
  url: string;
}

/** Builds an app, lets `setup` add its own routes around the plugin, listens on 127.0.0.1:0. */
export async function startApp(
  t: TestContext,
  input: SwitchyardInput,
  setup: (app: FastifyInstance) => void | Promise<void> = () => {},
  options: FastifyServerOptions = {},
): Promise<RunningApp> {
  const app = Fastify(options);
  t.after(() => app.close());
  await app.register(switchyard, input);
  await setup(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
