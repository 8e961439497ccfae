/** @module Scale cases of bench:core: building a consistent-hash pool at high weight, and addServer/removeServer/setServer on a 500-server consistent-hash pool. */
import { performance } from 'node:perf_hooks';
import { createSwitchyard } from '../../packages/core/src/switchyard.js';

/** Weights measured for createSwitchyard (a weight above the configured maximum is reported as refused). */
const WEIGHTS = (process.env.BENCH_SCALE_WEIGHTS ?? '1,100,1000').split(',').map(Number);
const POOL = 500;
const CALLS = 40;

function url(i: number): string {
  return `http://10.1.${i >> 8}.${i & 255}:8080`;
}

function ms(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `min ${sorted[0]!.toFixed(2)} ms, median ${at(0.5).toFixed(2)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms`;
}

/** Prints one line per case; every loop is bounded by a count. */
export function runScaleCases(): void {
  console.log('\nscale cases (consistent hash)');
  for (const weight of WEIGHTS) {
    const servers = [url(1), url(2), { url: url(3), weight }];
    let line: string;
    try {
      const took = ms(() => void createSwitchyard({ upstreams: { p: { servers, balance: 'hash', hash: { key: '$request_uri', consistent: true } } } }).close());
      line = `${took.toFixed(1)} ms`;
    } catch (err) {
      line = `refused: ${(err as Error).message}`;
    }
    console.log(`  createSwitchyard, 3 servers, one at weight ${weight}: ${line}`);
  }
  const sy = createSwitchyard({
    upstreams: { p: { servers: Array.from({ length: POOL }, (_, i) => url(i)), balance: 'hash', hash: { key: '$request_uri', consistent: true } } },
  });
  const adds: number[] = [];
  const removes: number[] = [];
  const weights: number[] = [];
  for (let k = 0; k < CALLS; k++) adds.push(ms(() => sy.addServer('p', url(POOL + k))));
  for (let k = 0; k < CALLS; k++) weights.push(ms(() => sy.setServer('p', url(k * 7), { weight: 2 + (k % 3) })));
  for (let k = 0; k < CALLS; k++) removes.push(ms(() => void sy.removeServer('p', url(POOL + k))));
  console.log(`  addServer on a ${POOL}-server pool (${CALLS} calls): ${stats(adds)}`);
  console.log(`  setServer weight on a ${POOL}-server pool (${CALLS} calls): ${stats(weights)}`);
  console.log(`  removeServer on a ${POOL + CALLS}-server pool (${CALLS} calls): ${stats(removes)}`);
  void sy.close();
}
