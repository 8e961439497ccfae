/** @module The adapter drivers the reliability suite runs against (the shared registry of test/adapters), plus app-server tuning for scenarios that need it. */
import { Server as HttpServer } from 'node:http';
import type { SwitchyardInput } from '@switchyard/core';
import type { AdapterDriver, ProxyUnderTest, StartOptions } from '../../adapters/driver.js';

export type { AdapterDriver, ProxyUnderTest };

// A variable specifier keeps this file compiling while the registry is still being written.
const REGISTRY = '../../adapters/drivers/index.js';

function isDriver(value: unknown): value is AdapterDriver {
  return (
    typeof value === 'object' && value !== null && typeof (value as AdapterDriver).start === 'function' && typeof (value as AdapterDriver).name === 'string'
  );
}

/** Every registered driver (fastify first), whatever shape the registry exports them in. */
export async function loadDrivers(): Promise<AdapterDriver[]> {
  const mod = (await import(REGISTRY)) as Record<string, unknown>;
  const found = new Map<string, AdapterDriver>();
  const visit = (value: unknown): void => {
    if (isDriver(value)) found.set(value.name, value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null && !(value instanceof Function)) Object.values(value).forEach(visit);
  };
  Object.values(mod).forEach(visit);
  const list = [...found.values()].sort((a, b) => a.name.localeCompare(b.name)).reverse();
  if (list.length === 0) throw new Error(`no adapter drivers exported by ${REGISTRY}`);
  return list;
}

/** Node's own guards against slow clients, which the app owner sets on the server the app listens on. */
export interface ServerTimeouts {
  headersTimeout: number;
  requestTimeout: number;
  /** How often Node checks those two (it reads this when the server starts listening). */
  checkIntervalMs: number;
}

/**
 * Starts the proxy app with Node's header/request timeouts set on its http.Server before it
 * listens (the driver interface does not expose the server, so `listen` is wrapped for the
 * duration of `start`). This is what an app owner does with `server.headersTimeout` in real life.
 */
export async function startWithServerTimeouts(
  driver: AdapterDriver,
  input: SwitchyardInput,
  timeouts: ServerTimeouts,
  options?: StartOptions,
): Promise<{ proxy: ProxyUnderTest; servers: HttpServer[] }> {
  const proto = HttpServer.prototype as unknown as { listen: (...args: unknown[]) => unknown };
  const own = Object.prototype.hasOwnProperty.call(proto, 'listen');
  const original = proto.listen;
  const servers: HttpServer[] = [];
  proto.listen = function listen(this: HttpServer, ...args: unknown[]) {
    this.headersTimeout = timeouts.headersTimeout;
    this.requestTimeout = timeouts.requestTimeout;
    (this as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = timeouts.checkIntervalMs;
    servers.push(this);
    return original.apply(this, args);
  };
  try {
    const proxy = await driver.start(input, options);
    return { proxy, servers };
  } finally {
    if (own) proto.listen = original;
    else delete (proto as { listen?: unknown }).listen;
  }
}
