import { test as base, expect, type BrowserContext } from '@playwright/test';

/**
 * `test` with a console guard: any browser console error or uncaught page error (hydration
 * mismatches, React errors, failed scripts) fails the test. The only errors tolerated are
 * Chromium's own "Failed to load resource … 4xx" lines, which it prints for every API answer
 * the app expects and handles (a declined card is a 402, a validation error a 400).
 */
const problemsByTest = new Map<string, string[]>();

const EXPECTED = /Failed to load resource: the server responded with a status of 4\d\d/;

export function watchConsole(context: BrowserContext, testId: string): void {
  const problems = problemsByTest.get(testId) ?? [];
  problemsByTest.set(testId, problems);
  context.on('console', (message) => {
    if (message.type() === 'error' && !EXPECTED.test(message.text())) {
      problems.push(`console.error on ${message.page()?.url() ?? '?'}: ${message.text()}`);
    }
  });
  context.on('weberror', (error) => {
    problems.push(`uncaught error on ${error.page()?.url() ?? '?'}: ${error.error().message}`);
  });
}

export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [
    async ({ context }, use, testInfo) => {
      watchConsole(context, testInfo.testId);
      await use();
      const problems = problemsByTest.get(testInfo.testId) ?? [];
      problemsByTest.delete(testInfo.testId);
      expect(problems, 'browser console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
