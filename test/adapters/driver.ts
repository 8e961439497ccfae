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
}

export interface AdapterDriver {
  readonly name: 'fastify' | 'express';
  start(input: SwitchyardInput, options?: StartOptions): Promise<ProxyUnderTest>;
}
