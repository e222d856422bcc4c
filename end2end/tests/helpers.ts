import { execFileSync } from 'node:child_process';
import path from 'node:path';
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

/** A commune's enrolments and completions as the overview shows them. */
export async function communeFigures(page: Page, code: string) {
  await page.goto('/');
  const row = page.locator(`tr[data-commune="${code}"]`);
  const enrolled = Number((await row.locator('td').nth(2).innerText()).replace(/\./g, ''));
  const completed = Number((await row.locator('td').nth(3).innerText()).replace(/\./g, ''));
  return { enrolled, completed };
}

/** Runs the server's command line on the database the server under test uses (serve-fresh.sh); returns what it printed. */
export function hocvuso(...args: string[]) {
  const root = path.resolve(__dirname, '../..');
  return execFileSync(process.env.HOCVUSO_BIN ?? 'target/debug/hocvuso', args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: 'sqlite://target/e2e/hocvuso.db?mode=rwc', HOCVUSO_LOG: 'warn' },
    encoding: 'utf8',
  });
}
