import { test, expect } from '@playwright/test';

const PASSWORD = 'hocvuso-demo-2026';

test('an organiser signs in, sees only their communes, and signs out', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('communes').locator('tbody tr')).toHaveCount(99);
  await page.getByRole('link', { name: 'Đăng nhập' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2F|\/login\?next=\//);

  await page.getByLabel('Tên đăng nhập').fill('tochuc.demo');
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau-1');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert')).toHaveText('Tên đăng nhập hoặc mật khẩu không đúng.');
  await expect(page.getByLabel('Tên đăng nhập')).toHaveValue('tochuc.demo');

  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByTestId('signed-in-as')).toHaveText('Người tổ chức (demo)');
  const rows = page.getByTestId('communes').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('communes')).toContainText('Xã Khao Mang');
  await expect(page.getByTestId('communes')).toContainText('Xã Mù Cang Chải');
  await expect(page.getByRole('link', { name: 'Quản trị' })).toHaveCount(0);

  // The server refuses the admin pages, whatever the UI shows.
  const admin = await page.goto('/admin/accounts');
  expect(admin?.status()).toBe(403);

  await page.goto('/');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.getByRole('link', { name: 'Đăng nhập' })).toBeVisible();
  await expect(rows).toHaveCount(99);
  const after = await page.goto('/admin/accounts');
  expect(after?.status()).toBe(401);
});

test('an administrator sees the accounts and the audit log', async ({ page }) => {
  await page.goto('/login?next=/admin/accounts');
  await page.getByLabel('Tên đăng nhập').fill('admin');
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page).toHaveURL(/\/admin\/accounts$/);
  await expect(page.locator('[data-username="tochuc.demo"]')).toContainText('4456, 4465');
  await page.getByRole('link', { name: 'Nhật ký thao tác' }).click();
  await expect(page.getByTestId('audit')).toContainText('login');

  // The token page is a plain form: the answer shows the new token, this once.
  await page.goto('/admin/tokens');
  await page.getByLabel('Tên').fill('Nền tảng MOOC tỉnh');
  await page.getByRole('button', { name: 'Tạo' }).click();
  await expect(page.getByTestId('new-token')).toHaveText(/^hvs_[0-9a-f]{64}$/);
  await expect(page.locator('table.units')).toContainText('Nền tảng MOOC tỉnh');
  await page.goto('/admin/tokens');
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
});
