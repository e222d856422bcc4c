import { test, expect, Browser } from '@playwright/test';
import { overflow, register, signIn } from './helpers';

for (const javaScriptEnabled of [true, false]) {
  test(`an organiser registers a learner on a phone, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async ({ browser }) => {
    const context = await (browser as Browser).newContext({ javaScriptEnabled, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page);
    const phone = javaScriptEnabled ? '0977 100 001' : '0977 100 002';
    const name = javaScriptEnabled ? 'Vàng Thị Mai' : 'Sùng Thị Pà';

    // Without the consent confirmation nothing is registered, and what was typed stays.
    await register(page, name, phone);
    await expect(page.locator('.field-error')).toContainText('Cần xác nhận học viên đã đồng ý');
    await expect(page.getByLabel('Họ và tên')).toHaveValue(name);
    await expect(page.getByLabel('Số điện thoại')).toHaveValue(phone);

    await page.getByLabel('Học viên đã đọc').check();
    await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
    await expect(page).toHaveURL(/\/learners\/HV-[0-9A-Z]{6}\?registered=1$/);
    await expect(page.getByTestId('learner-code')).toHaveText(/^HV-[0-9A-Z]{6}$/);
    await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
    await expect(page.getByTestId('progress-link')).toContainText('/p/');
    expect(await overflow(page)).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
}

test('an upload with two bad rows lists both and writes nothing', async ({ page }) => {
  await signIn(page, 'admin');
  await page.goto('/learners?q=hoc+vien+e2e');
  await expect(page.getByTestId('learner-total')).toHaveText('0 học viên');

  await page.goto('/learners/import');
  const csv = [
    'Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Xã/Phường',
    'Học Viên Eeai,05/03/1990,Nam,0966 000 001,Xã Khao Mang',
    'Học Viên Eebi,31/02/1990,Nữ,0966 000 002,Xã Khao Mang',
    'Học Viên Eeci,01/01/2000,Nam,0966 000 003,Xã Không Có',
  ].join('\n');
  await page.getByLabel('Tệp (CSV').setInputFiles({ name: 'hoc-vien.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByLabel('Tôi xác nhận đã thu thập').check();
  await page.getByRole('button', { name: 'Tải lên' }).click();

  const rows = page.getByTestId('bad-rows').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('3');
  await expect(rows.nth(0)).toContainText('Ngày sinh');
  await expect(rows.nth(1)).toContainText('4');
  await expect(rows.nth(1)).toContainText('Không có xã/phường này.');

  await page.goto('/learners?q=hoc+vien+ee');
  await expect(page.getByTestId('learner-total')).toHaveText('0 học viên');
});
