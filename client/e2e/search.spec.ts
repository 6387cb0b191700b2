import { expect, test } from './fixtures';
import { signUp, snap, uniqueEmail } from './helpers';

/** A word no other test's tickets contain, so the search results are this test's alone. */
const uniqueTag = () => `zq${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

test('a buyer searches, filters and sorts; the search lives in the URL and the back button walks through it', async ({ page }, testInfo) => {
  await signUp(page, uniqueEmail('seller', testInfo));
  const tag = uniqueTag();
  // Listed through the API with the page's session: the sell form is covered by sell.spec.ts.
  for (const [title, price] of [[`Beyoncé ${tag} Paris`, 30], [`Jazz ${tag}`, 10], [`Opera ${tag}`, 20]] as const) {
    expect((await page.request.post('/api/tickets', { data: { title, price } })).status()).toBe(201);
  }
  const titles = () => page.getByTestId('ticket-list').getByRole('heading').allTextContents();

  await page.goto('/');
  const search = page.getByRole('search', { name: 'Find tickets' });
  await search.getByLabel('Search').fill(`BEYONCE ${tag}`);
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`\\?q=BEYONCE\\+${tag}$`));
  await expect.poll(titles).toEqual([`Beyoncé ${tag} Paris`]);

  await search.getByLabel('Search').fill(tag);
  await search.getByLabel('Sort').selectOption('price_asc');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`\\?q=${tag}&sort=price_asc$`));
  await expect.poll(titles).toEqual([`Jazz ${tag}`, `Opera ${tag}`, `Beyoncé ${tag} Paris`]);
  await snap(page, 'search-sorted', testInfo);

  await search.getByLabel('Min price').fill('15');
  await search.getByLabel('Max price').fill('25');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect.poll(titles).toEqual([`Opera ${tag}`]);
  const shareable = page.url();

  // Back: the previous search, its form values and its results.
  await page.goBack();
  await expect.poll(titles).toEqual([`Jazz ${tag}`, `Opera ${tag}`, `Beyoncé ${tag} Paris`]);
  await expect(search.getByLabel('Min price')).toHaveValue('');
  await page.goForward();
  await expect.poll(titles).toEqual([`Opera ${tag}`]);

  // The URL alone reproduces the search for someone else.
  const stranger = await page.context().browser()!.newPage();
  await stranger.goto(shareable);
  await expect.poll(() => stranger.getByTestId('ticket-list').getByRole('heading').allTextContents()).toEqual([`Opera ${tag}`]);
  await expect(stranger.getByRole('search').getByLabel('Sort')).toHaveValue('price_asc');
  await stranger.close();

  // A range the API refuses is explained, with the form still there.
  await search.getByLabel('Min price').fill('50');
  await search.getByLabel('Max price').fill('5');
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('search-error')).toContainText('Minimum price must not be above the maximum price');

  await search.getByRole('link', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('a long search result pages with Next and comes back to the first page', async ({ page }, testInfo) => {
  await signUp(page, uniqueEmail('seller', testInfo));
  const tag = uniqueTag();
  for (let i = 0; i < 23; i++) {
    expect((await page.request.post('/api/tickets', { data: { title: `Gig ${i} ${tag}`, price: 5 + i } })).status()).toBe(201);
  }
  await page.goto(`/?q=${tag}&sort=price_desc`);
  const titles = () => page.getByTestId('ticket-list').getByRole('heading').allTextContents();
  await expect.poll(async () => (await titles()).length).toBe(20);
  expect((await titles())[0]).toBe(`Gig 22 ${tag}`);

  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect.poll(titles).toEqual([`Gig 2 ${tag}`, `Gig 1 ${tag}`, `Gig 0 ${tag}`]);
  await expect(page.getByRole('link', { name: 'Next →' })).toHaveCount(0);
  await snap(page, 'search-page-2', testInfo);

  await page.getByRole('link', { name: '← First page' }).click();
  await expect.poll(async () => (await titles()).length).toBe(20);
  await expect(page).toHaveURL(new RegExp(`\\?q=${tag}&sort=price_desc$`));
});
