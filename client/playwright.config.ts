import { defineConfig, devices, type LaunchOptions } from '@playwright/test';

/**
 * Browser tests against a running MicroTick stack (gateway + services + client).
 *
 *   E2E_BASE_URL                   a running gateway to test; unset, global-setup.ts starts a
 *                                  stack of its own on free ports (as `npm start` does)
 *   E2E_EXPIRATION_WINDOW_SECONDS  the stack's EXPIRATION_WINDOW_SECONDS; the expiry test
 *                                  runs only when it is set and short (≤ 120)
 *
 * Uses Debian's Chromium (no browser download); the host-resolver rule keeps the browser off
 * every network but this machine's.
 */
const launchOptions: LaunchOptions = {
  executablePath: process.env.E2E_CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  ],
};

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-output/results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8080',
    launchOptions,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions } },
    { name: 'phone', use: { ...devices['Pixel 7'], launchOptions } },
  ],
});
