import { mkdirSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { RAISED_ABUSE_LIMITS, startStack } from '@microtick/local';

/**
 * Starts the whole stack the way `npm start` does (services, Stripe emulator, client, gateway),
 * on free ports and in a namespace of its own, with a short payment window so the expiry test
 * can watch a reservation lapse. Set E2E_BASE_URL to test a stack that is already running.
 */
export default async function globalSetup(_config: FullConfig): Promise<(() => Promise<void>) | void> {
  if (process.env.E2E_BASE_URL) return;
  const windowSeconds = Number(process.env.E2E_EXPIRATION_WINDOW_SECONDS ?? 30);
  const outputDir = path.join(__dirname, '..', 'test-output');
  mkdirSync(outputDir, { recursive: true });
  const logFile = createWriteStream(path.join(outputDir, 'stack.log'));
  const stack = await startStack({
    namespace: `e2e_${process.pid}`,
    expirationWindowSeconds: windowSeconds,
    ephemeral: true,
    serviceEnv: RAISED_ABUSE_LIMITS,
    log: (line) => logFile.write(`${line}\n`),
    color: false,
  });
  process.env.E2E_BASE_URL = stack.url;
  process.env.E2E_EXPIRATION_WINDOW_SECONDS = String(windowSeconds);
  return async () => {
    await stack.stop();
    logFile.end();
  };
}
