import { expect, test } from './fixtures';
import { buyTicket, newUser, payWith, snap, uniqueTitle } from './helpers';

test("a seller follows a ticket from on sale to sold on My tickets, and checks the buyer in with the ticket's code", async ({ browser }, testInfo) => {
  const seller = await newUser(browser, 'seller', testInfo);
  const sold = uniqueTitle('Coldplay — Wembley', testInfo);
  const kept = uniqueTitle('Adele — Munich', testInfo);
  const ids: Record<string, string> = {};
  for (const [title, price] of [[sold, 80], [kept, 45.5]] as const) {
    const res = await seller.page.request.post('/api/tickets', { data: { title, price } });
    expect(res.status()).toBe(201);
    ids[title] = (await res.json()).id;
  }

  const desk = seller.page;
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tickets' }).click();
  await expect(desk).toHaveURL(/\/my-tickets$/);
  const row = (title: string) => desk.getByTestId('my-ticket-row').filter({ hasText: title });
  await expect(row(sold).getByTestId('my-ticket-status')).toHaveText('On sale');
  await expect(row(kept).getByTestId('my-ticket-status')).toHaveText('On sale');
  await expect(desk.getByTestId('total-available')).toHaveText('2');
  await expect(row(kept).getByRole('link', { name: `Edit ${kept}` })).toBeVisible();

  // A buyer reserves one: reserved, no longer editable.
  const buyer = await newUser(browser, 'buyer', testInfo);
  const orderId = await buyTicket(buyer.page, ids[sold]!);
  await desk.reload();
  await expect(row(sold).getByTestId('my-ticket-status')).toHaveText('Reserved');
  await expect(row(sold).getByRole('link', { name: /^Edit/ })).toHaveCount(0);

  // … and pays: the order completes, the buyer gets a ticket code with its QR code.
  await payWith(buyer.page, 'success');
  await expect(buyer.page.getByTestId('order-status')).toHaveText('Paid', { timeout: 30_000 });
  await expect(buyer.page.getByTestId('ticket-qr')).toBeVisible();
  const code = await buyer.page.getByTestId('ticket-code-text').inputValue();
  expect(code).toMatch(/^MT1\.[\w-]{128}$/);
  await snap(buyer.page, 'order-ticket-code', testInfo);

  // Sold once orders' order:completed reaches tickets.
  await expect
    .poll(async () => {
      await desk.reload();
      return row(sold).getByTestId('my-ticket-status').textContent();
    }, { timeout: 20_000 })
    .toBe('Sold');
  await expect(desk.getByTestId('total-sold')).toHaveText('1');
  await expect(desk.getByTestId('total-takings')).toHaveText('$80.00');
  await expect(desk.getByTestId('total-available')).toHaveText('1');

  // At the door: the buyer's code gets in once.
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Check in' }).click();
  await expect(desk).toHaveURL(/\/checkin$/);
  await desk.getByLabel('Ticket code').fill(code);
  await desk.getByRole('button', { name: 'Check in' }).click();
  await expect(desk.getByTestId('checkin-admitted')).toContainText('Checked in at');
  await snap(desk, 'checkin-admitted', testInfo);
  await desk.getByLabel('Ticket code').fill(code);
  await desk.getByRole('button', { name: 'Check in' }).click();
  await expect(desk.getByTestId('checkin-repeat')).toContainText('Already checked in at');
  await snap(desk, 'checkin-repeat', testInfo);

  // A code altered by one character is refused.
  await desk.getByLabel('Ticket code').fill(`${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`);
  await desk.getByRole('button', { name: 'Check in' }).click();
  await expect(desk.getByTestId('checkin-error')).toHaveText('This is not a valid ticket code');

  await desk.goto('/my-tickets');
  await expect(row(sold).getByTestId('my-ticket-checked-in')).toContainText('Checked in');
  await snap(desk, 'my-tickets', testInfo);

  // The buyer cannot check their own ticket in: only its seller can.
  await buyer.page.goto('/checkin');
  await buyer.page.getByLabel('Ticket code').fill(code);
  await buyer.page.getByRole('button', { name: 'Check in' }).click();
  await expect(buyer.page.getByTestId('checkin-error')).toContainText('only its seller can check it in');
  expect(orderId).toBeTruthy();

  await seller.context.close();
  await buyer.context.close();
});
