import { expect, test } from './fixtures';
import { buyTicket, expectOnListing, newUser, ORDER_URL, sellTicket, snap, uniqueTitle } from './helpers';
import type { Page } from '@playwright/test';

/** Joins the ticket's waiting list from its page, once the page shows it reserved (tickets learns by event). */
async function joinWaitlist(page: Page, ticketId: string): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.goto(`/tickets/${ticketId}`);
        return page.getByTestId('join-waitlist').count();
      },
      { timeout: 20_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe(1);
  await page.getByTestId('join-waitlist').click();
}

/**
 * Ends the reservation from the order page: the buyer cancels it, unless the stack's short
 * payment window (E2E_EXPIRATION_WINDOW_SECONDS) ended it first — either way it ends unpaid.
 */
async function giveUp(page: Page, orderId: string): Promise<void> {
  await page.goto(`/orders/${orderId}`);
  const cancel = page.getByRole('button', { name: 'Cancel reservation' });
  if (await cancel.isVisible()) await cancel.click();
  await expect(page.getByTestId('order-status')).toHaveText('Cancelled', { timeout: 30_000 });
}

/** The row of `ticketId` on the My waiting list page. */
const rowOf = (page: Page, ticketId: string) => page.locator(`[data-testid="waitlist-row"][data-ticket-id="${ticketId}"]`);

test.describe('the waiting list', () => {
  test('a released ticket is offered to the first in line, live and exclusively, then to the next', async ({ browser }, testInfo) => {
    test.setTimeout(120_000);
    const seller = await newUser(browser, 'seller', testInfo);
    const title = uniqueTitle('Sold-out arena show', testInfo);
    const ticketId = await sellTicket(seller.page, title, '75');
    await seller.context.close();

    const holder = await newUser(browser, 'holder', testInfo);
    const holderOrderId = await buyTicket(holder.page, ticketId);

    // Two buyers get in line from the reserved ticket's page.
    const first = await newUser(browser, 'first', testInfo);
    await joinWaitlist(first.page, ticketId);
    // The page refreshes after joining and then shows the place in line.
    await expect(first.page.getByTestId('waitlist-position')).toContainText('1st on the waiting list');
    await snap(first.page, 'waitlist-joined', testInfo);
    const second = await newUser(browser, 'second', testInfo);
    await joinWaitlist(second.page, ticketId);
    await expect(second.page.getByTestId('waitlist-position')).toContainText('2nd on the waiting list');

    // Both watch My waiting list; it is live (the event stream is open).
    for (const who of [first, second]) {
      await who.page.goto('/waitlist');
      await expect(who.page.getByTestId('waitlist-live')).toHaveAttribute('data-live', 'true');
    }
    await expect(rowOf(first.page, ticketId).getByTestId('waitlist-row-status')).toHaveText('Waiting');
    await expect(rowOf(second.page, ticketId).getByTestId('waitlist-row-detail')).toHaveText('2nd in line');

    // The holder's reservation ends: the first in line sees the offer without reloading.
    await giveUp(holder.page, holderOrderId);
    const offer = rowOf(first.page, ticketId);
    await expect(offer.getByTestId('waitlist-row-status')).toHaveText('Your turn');
    await expect(offer.getByTestId('waitlist-row-detail')).toHaveText(/^Held for you: \d+:\d{2} left$/);
    await expect(offer.getByTestId('order-now')).toBeVisible();
    await snap(first.page, 'waitlist-offer', testInfo);

    // The ticket's page says it is held for them, not "Available" (no order holds it during an offer).
    const ticketPage = await first.context.newPage();
    await ticketPage.goto(`/tickets/${ticketId}`);
    await expect(ticketPage.getByTestId('ticket-availability')).toHaveText('Held for you (waiting list)');
    await expect(ticketPage.getByTestId('waitlist-offer')).toBeVisible();
    await ticketPage.close();

    // Nobody else can have it meanwhile: not listed, and its page says why it cannot be bought
    // (the API refuses an order for it too: orders' waitlist tests), offering the waiting list instead.
    const stranger = await newUser(browser, 'stranger', testInfo);
    await expectOnListing(stranger.page, title, false);
    await stranger.page.goto(`/tickets/${ticketId}`);
    await expect(stranger.page.getByTestId('ticket-availability')).toHaveText('Offered to its waiting list');
    await expect(stranger.page.getByTestId('ticket-offered')).toBeVisible();
    await expect(stranger.page.getByTestId('buy-button')).toHaveCount(0);
    await expect(stranger.page.getByTestId('join-waitlist')).toBeVisible();
    await snap(stranger.page, 'waitlist-refused', testInfo);
    await stranger.context.close();

    // The first in line orders it: the offer is used, and their entry has ended.
    await offer.getByTestId('order-now').click();
    await expect(first.page).toHaveURL(ORDER_URL);
    await expect(first.page.getByTestId('order-status')).toHaveText('Awaiting payment');
    const firstOrderId = ORDER_URL.exec(first.page.url())![1]!;
    await first.page.goto('/waitlist');
    await expect(rowOf(first.page, ticketId).getByTestId('waitlist-row-status')).toHaveText('Ended');

    // They do not pay: the ticket passes to the next in line, who sees it live too.
    await giveUp(first.page, firstOrderId);
    const next = rowOf(second.page, ticketId);
    await expect(next.getByTestId('waitlist-row-status')).toHaveText('Your turn');
    await next.getByTestId('order-now').click();
    await expect(second.page).toHaveURL(ORDER_URL);
    await expect(second.page.getByTestId('order-status')).toHaveText('Awaiting payment');

    for (const who of [holder, first, second]) await who.context.close();
  });
});
