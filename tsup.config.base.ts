// Shared build config of every package: ESM + CJS bundles with .d.ts/.d.cts declarations for the exports map.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // The maps carry the sources (src/ is not published): stack traces and debuggers show the TypeScript.
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
