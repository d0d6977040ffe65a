/**
 * The test files Stryker runs against each mutant (`npm run mutate`): the fast
 * tests of the modules it mutates (stryker.config.json). The global setup
 * builds dist/ in Stryker's sandbox, for the worker-thread tests.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/rng.test.ts',
      'test/stream.test.ts',
      'test/warmup.test.ts',
      'test/tensors.test.ts',
      'test/timed.test.ts',
      'test/tasks.test.ts',
      'test/golden.test.ts',
      'test/sources.test.ts',
      'test/parallel.test.ts',
      'test/wasm-kernels.test.ts',
      'test/option-keys.test.ts',
      'test/define-task.test.ts',
      'test/worker-pool.test.ts',
      'test/node-workers.test.ts',
      'test/stream-operators.test.ts',
      'test/generate-checks.test.ts',
      'test/idx-checks.test.ts',
      'test/warmup-checks.test.ts',
      'test/rng-tensors-checks.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    // Tests too slow to run for each mutant check it and skip themselves; each says why.
    env: { OTFGEN_MUTATION: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
