import { expect, test } from './fixtures';
import { PASSWORD, expectSignedIn, signIn, snap, uniqueEmail } from './helpers';

test.describe('accounts', () => {
  test('sign up, sign out and sign in again', async ({ page }, testInfo) => {
    const email = uniqueEmail('auth', testInfo);

    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Sign up' }).first()).toBeVisible();
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
    await snap(page, 'home-signed-out', testInfo);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign up' }).click();
    await expect(page).toHaveURL(/\/auth\/signup$/);

    // The API's validation messages appear beside their fields.
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByTestId('email-error')).toBeVisible();
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    await snap(page, 'signup-errors', testInfo);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expectSignedIn(page, email);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Sell tickets' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'My orders' })).toBeVisible();
    await snap(page, 'home-signed-in', testInfo);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(nav.getByRole('link', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByTestId('current-user')).toHaveCount(0);

    // Same email again: refused.
    await page.goto('/auth/signup');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByText('Email in use')).toBeVisible();

    // Wrong password: refused with the API's message.
    await page.goto('/auth/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Invalid credentials')).toBeVisible();
    await snap(page, 'signin-error', testInfo);

    await signIn(page, email);
  });

  test('protected pages send visitors to sign in and back', async ({ page }, testInfo) => {
    await page.goto('/orders');
    await expect(page).toHaveURL(/\/auth\/signin\?next=%2Forders$/);
    await snap(page, 'signin', testInfo);
    const email = uniqueEmail('return', testInfo);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expect(page).toHaveURL(/\/auth\/signup\?next=%2Forders$/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page).toHaveURL(/\/orders$/);
    await expect(page.getByRole('heading', { name: 'My orders' })).toBeVisible();
    await expect(page.getByTestId('orders-empty')).toBeVisible();
    await snap(page, 'orders-empty', testInfo);
  });
});
