import { test, expect } from '@playwright/test';
import { register, signIn } from './helpers';

test('an organiser renews a lost link, hands over a learner data and erases it on request', async ({ page, browser }) => {
  await signIn(page);
  await register(page, 'Thào Thị Say', '0977 400 001', '02/02/1994');
  await page.getByLabel('Học viên đã đọc').check();
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
  const old = await page.getByTestId('progress-link').getAttribute('href');

  // A lost card: a new link, and the old one stops working.
  await page.getByTestId('renew-link').click();
  await expect(page.locator('.notice')).toContainText('Đã cấp đường dẫn mới');
  const renewed = await page.getByTestId('progress-link').getAttribute('href');
  expect(renewed).not.toEqual(old);
  const stranger = await browser.newContext();
  const oldPage = await stranger.newPage();
  await oldPage.goto(new URL(old!).pathname);
  await expect(oldPage.locator('main')).toContainText('Đường dẫn này không còn hiệu lực');
  await stranger.close();

  // Everything held about the learner, on one printable page.
  await page.getByRole('link', { name: 'Dữ liệu cá nhân' }).click();
  const data = page.getByTestId('personal-data');
  await expect(data).toContainText('Thào Thị Say');
  await expect(data).toContainText('02/02/1994');
  await expect(data).toContainText('+84977400001');

  // Erasure needs the ticked confirmation; then the person is gone from every search.
  await page.getByRole('button', { name: 'Xoá dữ liệu cá nhân' }).click();
  await expect(page.getByRole('alert')).toContainText('Hãy đánh dấu xác nhận');
  await page.getByLabel('Tôi xác nhận học viên đã yêu cầu xoá dữ liệu').check();
  await page.getByRole('button', { name: 'Xoá dữ liệu cá nhân' }).click();
  await expect(page).toHaveURL(/\/learners\?erased=1$/);
  await expect(page.locator('.notice')).toContainText('Đã xoá dữ liệu cá nhân');
  await page.goto('/learners?q=thao+thi+say');
  await expect(page.getByTestId('learner-total')).toHaveText('0 học viên');
});
