import { expect, test } from './fixtures';
import { TICKET_URL, expectOnListing, newUser, signUp, snap, uniqueEmail, uniqueTitle } from './helpers';

test('a signed-in user sells a ticket and edits it', async ({ page }, testInfo) => {
  await signUp(page, uniqueEmail('seller', testInfo));
  const title = uniqueTitle('Arctic Monkeys — MSG', testInfo);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sell tickets' }).click();
  await expect(page).toHaveURL(/\/tickets\/new$/);
  await expect(page.getByRole('heading', { name: 'Sell a ticket' })).toBeVisible();

  // Nothing filled in: the API's messages appear beside both fields.
  await page.getByRole('button', { name: 'List ticket' }).click();
  await expect(page.getByTestId('title-error')).toBeVisible();
  await expect(page.getByTestId('price-error')).toBeVisible();
  await snap(page, 'ticket-new-errors', testInfo);

  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Price').fill('-5');
  await page.getByRole('button', { name: 'List ticket' }).click();
  await expect(page.getByTestId('price-error')).toBeVisible();
  await expect(page.getByTestId('title-error')).toHaveCount(0);

  await page.getByLabel('Price').fill('42.5');
  await page.getByRole('button', { name: 'List ticket' }).click();
  await expect(page).toHaveURL(TICKET_URL);
  const ticketId = TICKET_URL.exec(page.url())![1]!;
  await expect(page.getByTestId('ticket-title')).toHaveText(title);
  await expect(page.getByTestId('ticket-detail-price')).toHaveText('$42.50');
  await expect(page.getByTestId('buy-button')).toHaveCount(0);
  await snap(page, 'ticket-own', testInfo);

  await expectOnListing(page, title, true);
  const card = page.getByTestId('ticket-card').filter({ hasText: title });
  await expect(card.getByTestId('ticket-price')).toHaveText('$42.50');
  await expect(card.getByText('Your listing')).toBeVisible();
  await snap(page, 'home-listing', testInfo);

  // Edit the price.
  await page.goto(`/tickets/${ticketId}`);
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page).toHaveURL(new RegExp(`/tickets/${ticketId}/edit$`));
  await expect(page.getByLabel('Price')).toHaveValue('42.50');
  await page.getByLabel('Price').fill('40');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(TICKET_URL);
  await expect(page.getByTestId('ticket-detail-price')).toHaveText('$40.00');
});

test('a visitor sees a ticket but must sign in to buy it', async ({ browser, page }, testInfo) => {
  const seller = await newUser(browser, 'seller', testInfo);
  const title = uniqueTitle('Jazz night', testInfo);
  await seller.page.goto('/tickets/new');
  await seller.page.getByLabel('Title').fill(title);
  await seller.page.getByLabel('Price').fill('15');
  await seller.page.getByRole('button', { name: 'List ticket' }).click();
  await expect(seller.page).toHaveURL(TICKET_URL);
  const ticketId = TICKET_URL.exec(seller.page.url())![1]!;
  await seller.context.close();

  await page.goto(`/tickets/${ticketId}`);
  await expect(page.getByTestId('ticket-title')).toHaveText(title);
  await expect(page.getByTestId('buy-button')).toHaveCount(0);
  await page.getByRole('link', { name: 'Sign in to buy' }).click();
  await expect(page).toHaveURL(/\/auth\/signin\?next=/);

  await page.goto('/tickets/00000000-0000-4000-8000-000000000000');
  await expect(page.getByTestId('not-found')).toBeVisible();
  await snap(page, 'not-found', testInfo);
});
