/**
 * Runs the client's pure-logic tests (`lib/*.test.ts`) with the root preset:
 * `cd client && npx jest`. The app itself is checked by `next build` and Playwright.
 */
const path = require('path');
const root = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...root,
  rootDir: __dirname,
  roots: [path.join(__dirname, 'lib')],
  testMatch: ['<rootDir>/lib/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {},
};
