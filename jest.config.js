/** One jest preset for every workspace: tests live beside the code as *.test.ts. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/\\.next/', '/client/e2e/'],
  modulePathIgnorePatterns: ['<rootDir>/client/.next/'],
  moduleNameMapper: {
    '^@microtick/common$': '<rootDir>/common/src/index.ts',
    '^@microtick/common/testing$': '<rootDir>/common/src/testing/index.ts',
    '^@microtick/common/api$': '<rootDir>/common/src/api/types.ts',
    '^@microtick/common/(logger|config|service|http/listen|http/create-service-app|http/probe-server|bus/event-bus|bus/listener|bus/redis-listener-store)$': '<rootDir>/common/src/$1.ts',
    '^@microtick/common/(events|tracing)$': '<rootDir>/common/src/$1/index.ts',
  },
  globalSetup: '<rootDir>/jest.global-setup.js',
  globalTeardown: '<rootDir>/jest.global-teardown.js',
  testTimeout: 30_000,
  maxWorkers: 2,
};
