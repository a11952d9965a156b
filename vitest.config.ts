import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: { __DANFLOW_VERSION__: JSON.stringify(pkg.version) },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // tfjs-core's ESM uses extension-less relative imports that Node cannot load raw; letting
    // Vite transform it resolves them (the shipped bundle gets the same treatment from tsup).
    server: { deps: { inline: [/@tensorflow\/tfjs-core/, /@tensorflow\/tfjs-backend-/] } },
  },
});
