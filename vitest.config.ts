import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of sibling packages, not their build output.
    alias: {
      '@countersign/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
      '@countersign/mask': fileURLToPath(new URL('./packages/mask/src/index.ts', import.meta.url)),
      '@countersign/sdk': fileURLToPath(new URL('./packages/sdk/src/index.ts', import.meta.url)),
      '@countersign/server': fileURLToPath(new URL('./packages/server/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
