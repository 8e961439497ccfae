/** @module Starts a proxy through a driver for one test and registers its cleanup. */
import type { TestContext } from 'node:test';
import type { SwitchyardInput } from '@switchyard/core';
import type { AdapterDriver, ProxyUnderTest, StartOptions } from '../driver.js';
import { startBackends, stopAll, type Backend } from '../../helpers/backends.js';

export async function startProxy(t: TestContext, driver: AdapterDriver, input: SwitchyardInput, options?: StartOptions): Promise<ProxyUnderTest> {
  const proxy = await driver.start(input, options);
  t.after(() => proxy.close());
  return proxy;
}

export async function backendsFor(t: TestContext, count: number): Promise<Backend[]> {
  const list = await startBackends(count);
  t.after(() => stopAll(list));
  return list;
}

/** Sum of `active` over every server of every upstream (0 once every try is released). */
export function totalActive(proxy: ProxyUnderTest): number {
  let sum = 0;
  for (const upstream of Object.values(proxy.switchyard.status().upstreams)) for (const s of upstream.servers) sum += s.active;
  return sum;
}
