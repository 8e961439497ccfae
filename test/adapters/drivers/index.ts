/** @module Every adapter driver the shared scenario suite runs against (one line per adapter). */
import type { AdapterDriver } from '../driver.js';
import { fastifyDriver } from './fastify.js';
import { expressDriver } from './express.js';

export const drivers: readonly AdapterDriver[] = [fastifyDriver, expressDriver];
