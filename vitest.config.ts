import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module) builds; Node loads the CJS one for
  // Pothos and yoga, so our code must get the same one or types come from two realms.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    // Web component tests sit in web/test: they need JSX and DOM types (web/tsconfig.json),
    // which the root tsconfig, covering test/, does not have.
    include: ['test/**/*.test.ts', 'web/test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Socket tests bind port 0 and browser tests start Chromium: a fork each keeps them apart.
    pool: 'forks',
  },
});
