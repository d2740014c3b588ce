// Two projects: `unit` needs nothing but Node; `integration` (*.int.test.ts) gets one PostgreSQL server for
// the whole run (embedded, or the one DATABASE_URL names) and a migrated template database, from which
// each test file clones its own database (test/support/db.ts).
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // Real servers and child processes: generous, but still a limit.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
