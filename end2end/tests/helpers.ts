import { expect, Page } from '@playwright/test';

export const PASSWORD = 'hocvuso-demo-2026';

/** Signs in through the login form and lands on `next`. */
export async function signIn(page: Page, username = 'tochuc.demo', next = '/learners/new') {
  await page.goto(`/login?next=${next}`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/?]/g, '\\$&')}$`));
}

/** Fills the registration form (born 05/03/1990 unless said) and submits it. */
export async function register(page: Page, name: string, phone: string, birthDate = '05/03/1990') {
  await page.getByLabel('Họ và tên').fill(name);
  await page.getByLabel('Ngày sinh').fill(birthDate);
  await page.getByLabel('Giới tính').selectOption('nu');
  await page.getByLabel('Số điện thoại').fill(phone);
  await page.getByLabel('Xã/Phường').selectOption({ label: 'Xã Mù Cang Chải' });
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
}

/** How far the page scrolls sideways (0 when nothing overflows). */
export async function overflow(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
