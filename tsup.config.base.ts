// Shared build config of every package: ESM + CJS bundles with .d.ts/.d.cts declarations for the exports map.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // The maps point at src/, which is published beside dist/ (and the exports' `switchyard-source`
  // condition needs it): embedding the sources again in every map would ship them three times.
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  target: 'node20',
  platform: 'node',
});
