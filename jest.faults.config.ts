import type { Config } from 'jest';
import base from './jest.config';

/**
 * The fault suite: it starts the whole stack as processes, kills and
 * restarts parts of it, and audits the deliveries. Its files end in
 * `.fault.ts`, so `npm test` never picks them up; `FAULTS_SOAK=1` adds the
 * multi-minute retry soak (`.soak.ts`). Sizes come from `FAULTS_*`
 * variables (test/faults/support/fault-settings.ts).
 */
const soak = process.env.FAULTS_SOAK === '1';

const config: Config = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testMatch: [
    '**/test/faults/**/*.fault.ts',
    ...(soak ? ['**/test/faults/**/*.soak.ts'] : []),
  ],
  // Each file starts its own Redis, so the shared test Redis is not needed.
  globalSetup: undefined,
  globalTeardown: undefined,
  // A scenario publishes thousands of signals through a stack of six
  // processes: one file at a time keeps a small machine responsive.
  maxWorkers: 1,
  testTimeout: 20 * 60_000,
};

export default config;
