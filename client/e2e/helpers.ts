import path from 'node:path';
import { expect, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { watchConsole } from './fixtures';

/** Helpers shared by the browser specs: users, tickets, orders and screenshots. */

export const PASSWORD = 'correct-horse-battery';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const TICKET_URL = new RegExp(`/tickets/(${UUID})$`);
export const ORDER_URL = new RegExp(`/orders/(${UUID})$`);

function suffix(testInfo: TestInfo): string {
  return `${testInfo.project.name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** An email no other test (or earlier run) uses. */
export function uniqueEmail(role: string, testInfo: TestInfo): string {
  return `${role}-${suffix(testInfo)}@microtick.test`;
}

/** A ticket title no other test uses. */
export function uniqueTitle(name: string, testInfo: TestInfo): string {
  return `${name} #${suffix(testInfo)}`;
}

/** Saves a full-page screenshot as test-output/screenshots/<name>-<project>.png. */
export async function snap(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const file = path.join(__dirname, '..', 'test-output', 'screenshots', `${name}-${testInfo.project.name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
}

/** A fresh browser context (its own cookies) with the project's device settings. */
export async function newContext(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
  const use = testInfo.project.use;
  const context = await browser.newContext({
    baseURL: use.baseURL,
    viewport: use.viewport,
    userAgent: use.userAgent,
    deviceScaleFactor: use.deviceScaleFactor,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
  });
  watchConsole(context, testInfo.testId);
  return context;
}

export async function expectSignedIn(page: Page, email: string): Promise<void> {
  await expect(page.getByTestId('current-user')).toContainText(email);
}

export async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/auth/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectSignedIn(page, email);
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/auth/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectSignedIn(page, email);
}

/** A new user signed in on a page of their own. */
export async function newUser(browser: Browser, role: string, testInfo: TestInfo): Promise<{ page: Page; email: string; context: BrowserContext }> {
  const context = await newContext(browser, testInfo);
  const page = await context.newPage();
  const email = uniqueEmail(role, testInfo);
  await signUp(page, email);
  return { page, email, context };
}

/** Lists a ticket through the form; returns its id (the page ends on the ticket). */
export async function sellTicket(page: Page, title: string, price: string): Promise<string> {
  await page.goto('/tickets/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Price').fill(price);
  await page.getByRole('button', { name: 'List ticket' }).click();
  await expect(page).toHaveURL(TICKET_URL);
  await expect(page.getByTestId('ticket-title')).toHaveText(title);
  return TICKET_URL.exec(page.url())![1]!;
}

/** Reserves a ticket from its page; returns the order id (the page ends on the order). */
export async function buyTicket(page: Page, ticketId: string): Promise<string> {
  await page.goto(`/tickets/${ticketId}`);
  await page.getByTestId('buy-button').click();
  await expect(page).toHaveURL(ORDER_URL);
  await expect(page.getByTestId('order-view')).toBeVisible();
  return ORDER_URL.exec(page.url())![1]!;
}

export const CARDS = {
  success: /^Visa — succeeds/,
  declined: /^Declined/,
  insufficientFunds: /^Insufficient funds/,
} as const;

/** Picks a test card and submits the payment form. */
export async function payWith(page: Page, card: keyof typeof CARDS): Promise<void> {
  await page.getByRole('radio', { name: CARDS[card] }).check();
  await page.getByTestId('pay-button').click();
}

/**
 * Waits until the listing shows (or no longer shows) a ticket, reloading meanwhile. It searches
 * for the ticket's (unique) title: on the plain first page, tickets other tests list at the same
 * time (the search test lists more than a page of them) can push it to page 2.
 */
export async function expectOnListing(page: Page, title: string, listed: boolean, timeout = 20_000): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.goto(`/?q=${encodeURIComponent(title)}`);
        return page.getByTestId('ticket-list').getByRole('link', { name: title, exact: true }).count();
      },
      { timeout, intervals: [500, 1_000, 2_000] },
    )
    .toBe(listed ? 1 : 0);
}

/** Waits until a ticket can be bought again (the tickets service learns of releases by event). */
export async function expectBuyable(page: Page, ticketId: string, timeout = 20_000): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.goto(`/tickets/${ticketId}`);
        return page.getByTestId('buy-button').count();
      },
      { timeout, intervals: [500, 1_000, 2_000] },
    )
    .toBe(1);
}
