import { test, expect, Browser } from '@playwright/test';
import { overflow, register, signIn } from './helpers';

const PHONE = { width: 360, height: 740 };

test('a learner opens their page from the card link and through the lookup form, on a phone', async ({ browser }) => {
  // The organiser registers the learner and prints the card.
  const organiser = await (browser as Browser).newContext({ viewport: PHONE });
  const page = await organiser.newPage();
  await signIn(page);
  await register(page, 'Giàng Thị Dua', '0977 300 001', '14/07/1992');
  await page.getByLabel('Học viên đã đọc').check();
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  const link = await page.getByTestId('progress-link').getAttribute('href');
  expect(link).toMatch(/\/p\/[0-9a-f]{64}$/);
  await organiser.close();

  // The learner, with no account, follows the link the QR code carries.
  const learner = await (browser as Browser).newContext({ viewport: PHONE });
  const mine = await learner.newPage();
  const errors: string[] = [];
  mine.on('pageerror', (err) => errors.push(err.message));
  await mine.goto(new URL(link!).pathname);
  await expect(mine.getByTestId('greeting')).toHaveText('Xin chào Dua');
  await expect(mine.locator('main')).toContainText('09xx xxx 001');
  await expect(mine.locator('main')).not.toContainText('Giàng');
  expect(await overflow(mine)).toBe(0);
  await mine.getByRole('link', { name: 'English' }).click();
  await expect(mine.getByTestId('greeting')).toHaveText('Hello Dua');
  await mine.getByRole('link', { name: 'Tiếng Việt' }).click();
  await expect(mine.getByTestId('greeting')).toHaveText('Xin chào Dua');

  // Later, without the card: the lookup form. A wrong birth date first, then the right one.
  await mine.goto('/tra-cuu');
  expect(await overflow(mine)).toBe(0);
  await mine.getByLabel('Số điện thoại').fill('0977 300 001');
  await mine.getByLabel('Ngày sinh').fill('15/07/1992');
  await mine.getByRole('button', { name: 'Tra cứu' }).click();
  await expect(mine.getByTestId('lookup-error')).toContainText('Không tìm thấy học viên');
  await expect(mine.getByLabel('Số điện thoại')).toHaveValue('0977 300 001');
  await mine.getByLabel('Ngày sinh').fill('14/07/1992');
  await mine.getByRole('button', { name: 'Tra cứu' }).click();
  // The printed link is kept hashed, so the lookup opens the page at an address of its own (for a day).
  await expect(mine).toHaveURL(/\/p\/[0-9a-f]{64}$/);
  expect(new URL(mine.url()).pathname).not.toEqual(new URL(link!).pathname);
  await expect(mine.getByTestId('greeting')).toHaveText('Xin chào Dua');
  expect(errors).toEqual([]);
  await learner.close();
});
