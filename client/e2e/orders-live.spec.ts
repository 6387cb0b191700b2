import { expect, test } from './fixtures';
import { buyTicket, newUser, payWith, sellTicket, snap, uniqueTitle } from './helpers';
import type { Page } from '@playwright/test';

/** The status badge of one order's row on My orders. */
const statusOf = (page: Page, orderId: string) => page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`).getByTestId('order-row-status');

test.describe('My orders', () => {
  test('shows each order’s status change without a reload', async ({ browser }, testInfo) => {
    test.setTimeout(120_000);
    const seller = await newUser(browser, 'seller', testInfo);
    const toPay = await sellTicket(seller.page, uniqueTitle('Matinee', testInfo), '30');
    const toCancel = await sellTicket(seller.page, uniqueTitle('Late show', testInfo), '20');
    await seller.context.close();

    const buyer = await newUser(browser, 'buyer', testInfo);
    const paidOrderId = await buyTicket(buyer.page, toPay);
    const cancelledOrderId = await buyTicket(buyer.page, toCancel);

    // The list stays open in one tab while the orders change in another.
    const list = buyer.page;
    await list.goto('/orders');
    await expect(statusOf(list, paidOrderId)).toHaveText('Awaiting payment');
    await expect(statusOf(list, cancelledOrderId)).toHaveText('Awaiting payment');
    let reloads = 0;
    list.on('load', () => reloads++);

    const other = await buyer.context.newPage();
    await other.goto(`/orders/${cancelledOrderId}`);
    await other.getByRole('button', { name: 'Cancel reservation' }).click();
    await expect(statusOf(list, cancelledOrderId)).toHaveText('Cancelled', { timeout: 20_000 });

    await other.goto(`/orders/${paidOrderId}`);
    await payWith(other, 'success');
    await expect(other.getByTestId('order-status')).toHaveText('Paid', { timeout: 30_000 });
    await expect(statusOf(list, paidOrderId)).toHaveText('Complete', { timeout: 20_000 });
    expect(reloads).toBe(0);
    await snap(list, 'orders-live', testInfo);
    await buyer.context.close();
  });
});
