import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module) builds; Node loads the CJS one for
  // Pothos and yoga, so our code must get the same one or types come from two realms.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Socket tests bind port 0 and browser tests start Chromium: a fork each keeps them apart.
    pool: 'forks',
    // Tiers by cost, each with its own script (npm run test:<name>); `npm test` runs them all.
    projects: [
      // Web component tests sit in web/test: they need JSX and DOM types (web/tsconfig.json),
      // which the root tsconfig, covering test/, does not have.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/web/**/*.test.ts', 'web/test/**/*.test.{ts,tsx}'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      { extends: true, test: { name: 'replicas', include: ['test/replicas/**/*.test.ts'] } },
    ],
  },
});
