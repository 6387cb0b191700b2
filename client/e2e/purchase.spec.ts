import { expect, test } from './fixtures';
import { buyTicket, expectOnListing, newUser, payWith, sellTicket, snap, uniqueTitle } from './helpers';

test.describe('buying a ticket', () => {
  test('a second user buys a ticket with the success card and sees the order complete', async ({ browser }, testInfo) => {
    const seller = await newUser(browser, 'seller', testInfo);
    const title = uniqueTitle('Taylor Swift — Eras', testInfo);
    const ticketId = await sellTicket(seller.page, title, '120');

    const buyer = await newUser(browser, 'buyer', testInfo);
    const page = buyer.page;
    await expectOnListing(page, title, true);
    await page.getByTestId('ticket-list').getByRole('link', { name: title, exact: true }).click();
    await expect(page.getByTestId('ticket-title')).toHaveText(title);
    await expect(page.getByTestId('ticket-detail-price')).toHaveText('$120.00');
    await snap(page, 'ticket-detail', testInfo);

    const orderId = await buyTicket(page, ticketId);
    await expect(page.getByTestId('order-status')).toHaveText('Awaiting payment');
    await expect(page.getByTestId('countdown')).toHaveText(/^\d+:\d{2}$/);
    await expect(page.getByRole('radio', { name: /^Visa — succeeds/ })).toBeChecked();
    await snap(page, 'order-payable', testInfo);

    // The seller sees it reserved, and cannot edit it.
    await seller.page.goto(`/tickets/${ticketId}`);
    await expect(seller.page.getByTestId('ticket-reserved')).toBeVisible();
    await expect(seller.page.getByRole('button', { name: 'Edit' })).toBeDisabled();
    await snap(seller.page, 'ticket-own-reserved', testInfo);

    await payWith(page, 'success');
    // Authorized, then orders completes the order (an event); the live stream tells the page.
    // "Paid" shows only once the order is complete (before that: "Confirming your payment…").
    await expect(page.getByTestId('receipt')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('receipt-amount')).toHaveText('$120.00');
    await expect(page.getByTestId('order-status')).toHaveText('Paid');
    await snap(page, 'order-paid', testInfo);

    await page.getByRole('link', { name: 'View my orders' }).click();
    await expect(page).toHaveURL(/\/orders$/);
    const row = page.getByTestId('order-row').filter({ hasText: title });
    await expect(row.getByTestId('order-row-status')).toHaveText('Complete');
    await snap(page, 'orders', testInfo);

    // Sold: no longer for sale.
    await expectOnListing(page, title, false);
    await page.goto(`/orders/${orderId}`);
    await expect(page.getByTestId('receipt')).toBeVisible();

    await seller.context.close();
    await buyer.context.close();
  });

  test('a declined card shows the message and a retry succeeds', async ({ browser }, testInfo) => {
    const seller = await newUser(browser, 'seller', testInfo);
    const ticketId = await sellTicket(seller.page, uniqueTitle('Hamilton — Row F', testInfo), '89.99');
    await seller.context.close();

    const buyer = await newUser(browser, 'buyer', testInfo);
    const page = buyer.page;
    await buyTicket(page, ticketId);

    await payWith(page, 'declined');
    const error = page.getByTestId('payment-error');
    await expect(error).toBeVisible();
    await expect(error).not.toBeEmpty();
    // Still payable: same order, form still there, status unchanged.
    await expect(page.getByTestId('payment-form')).toBeVisible();
    await expect(page.getByTestId('order-status')).toHaveText('Awaiting payment');
    await snap(page, 'order-declined', testInfo);

    await payWith(page, 'insufficientFunds');
    await expect(error).toBeVisible();
    await expect(page.getByTestId('payment-form')).toBeVisible();

    await payWith(page, 'success');
    await expect(page.getByTestId('receipt')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('payment-error')).toHaveCount(0);
    await expect(page.getByTestId('order-status')).toHaveText('Paid');

    await buyer.context.close();
  });

  test('the buyer can cancel a reservation and the ticket goes back on sale', async ({ browser }, testInfo) => {
    const seller = await newUser(browser, 'seller', testInfo);
    const title = uniqueTitle('Cup final', testInfo);
    const ticketId = await sellTicket(seller.page, title, '60');
    await seller.context.close();

    const buyer = await newUser(browser, 'buyer', testInfo);
    const page = buyer.page;
    await buyTicket(page, ticketId);
    await page.getByRole('button', { name: 'Cancel reservation' }).click();
    await expect(page.getByTestId('order-cancelled')).toBeVisible();
    await expect(page.getByTestId('order-status')).toHaveText('Cancelled');
    await snap(page, 'order-cancelled', testInfo);
    await expectOnListing(page, title, true);

    await buyer.context.close();
  });
});
