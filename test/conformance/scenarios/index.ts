/** @module Every conformance scenario, by topic (one line per file). */
import type { Scenario } from '../harness/scenario.js';
import { BALANCING } from './balancing.js';

export const SCENARIOS: readonly Scenario[] = [...BALANCING];
