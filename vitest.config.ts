import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // No test may depend on the machine's time zone.
    env: { TZ: 'Pacific/Chatham' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
