/** @module Every conformance scenario, by topic (one line per file). */
import type { Scenario } from '../harness/scenario.js';
import { BALANCING } from './balancing.js';
import { HASHING } from './hashing.js';
import { ROUTING } from './routing.js';
import { FAILOVER } from './failover.js';
import { REQUEST_FRAMING, REQUEST_HEADERS } from './request-headers.js';
import { RESPONSE_HEADERS } from './response-headers.js';
import { DELIBERATE, DELIBERATE_FILES } from './deliberate.js';
import { VIRTUAL_HOSTS } from './virtual-hosts.js';
import { BODY_LIMITS } from './body-limits.js';
import { REQUEST_LIMITS } from './request-limits.js';
import { FILES } from './files.js';
import { REWRITE } from './rewrite.js';
import { FILE_HEADERS } from './file-headers.js';
import { MAPS } from './maps.js';

export const SCENARIOS: readonly Scenario[] = [
  ...BALANCING,
  ...HASHING,
  ...ROUTING,
  ...FAILOVER,
  ...REQUEST_HEADERS,
  ...REQUEST_FRAMING,
  ...RESPONSE_HEADERS,
  ...DELIBERATE,
  ...VIRTUAL_HOSTS,
  ...BODY_LIMITS,
  ...REQUEST_LIMITS,
  ...FILES,
  ...REWRITE,
  ...DELIBERATE_FILES,
  ...FILE_HEADERS,
  ...MAPS,
];
