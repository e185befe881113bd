import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Socket tests bind port 0 and browser tests start Chromium: a fork each keeps them apart.
    pool: 'forks',
  },
});
