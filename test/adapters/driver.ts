/** @module The interface every adapter implements for the shared scenario suite (test/adapters). */
import type { Switchyard, SwitchyardInput } from '@switchyard/core';

export interface ProxyUnderTest {
  /** `http://127.0.0.1:<port>` of the app that runs the balancer. */
  readonly url: string;
  readonly port: number;
  readonly switchyard: Switchyard;
  /** Closes the app, the balancer and every socket. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Let the app parse JSON bodies before the balancer (Fastify always does; Express adds express.json()). */
  parseJson?: boolean;
  /**
   * A stand-in for the app's own authentication before the balancer: `Authorization: Bearer NAME`
   * puts `user = { id: NAME }` on the framework's request (Fastify: `request.user` set in an
   * onRequest hook; Express: `req.user` set by a middleware), as @fastify/jwt or passport do.
   */
  auth?: boolean;
}

/** The user the `auth` option puts on the framework's request. */
export interface TestUser {
  id: string;
}

/** Reads `Authorization: Bearer NAME` as the `auth` option does. */
export function userFromHeader(authorization: string | undefined): TestUser | null {
  const m = /^Bearer (\S+)$/.exec(authorization ?? '');
  return m === null ? null : { id: m[1] as string };
}

export interface AdapterDriver {
  readonly name: 'fastify' | 'express';
  start(input: SwitchyardInput, options?: StartOptions): Promise<ProxyUnderTest>;
}
