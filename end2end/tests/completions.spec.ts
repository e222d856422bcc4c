import { test, expect } from '@playwright/test';
import { communeFigures, PASSWORD } from './helpers';

test('an organiser records a completion and sees the learner and the commune move', async ({ page }) => {
  await page.goto('/login?next=/learners/new');
  await page.getByLabel('Tên đăng nhập').fill('tochuc.demo');
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page).toHaveURL(/\/learners\/new$/);

  await page.getByLabel('Họ và tên').fill('Thào A Chứ');
  await page.getByLabel('Ngày sinh').fill('12/12/1995');
  await page.getByLabel('Số điện thoại').fill('0977 200 001');
  await page.getByLabel('Xã/Phường').selectOption({ label: 'Xã Khao Mang' });
  await page.getByLabel('Học viên đã đọc').check();
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
  await expect(page.getByTestId('learner-code')).toBeVisible();
  const card = page.url().replace(/\?.*$/, '');

  const before = await communeFigures(page, '4465');
  await page.goto(card);
  await page.getByLabel('Đăng ký khoá').selectOption('KNS-01');
  await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
  const course = page.locator('li.course[data-course="KNS-01"]');
  await expect(course.getByTestId('course-status')).toHaveText('Đã đăng ký');

  await course.getByLabel('Điểm').fill('9,5');
  await course.getByRole('button', { name: 'Ghi nhận hoàn thành' }).click();
  await expect(course.getByTestId('course-status')).toHaveText('Hoàn thành');
  await expect(course).toContainText('9.5');

  const after = await communeFigures(page, '4465');
  expect(after).toEqual({ enrolled: before.enrolled + 1, completed: before.completed + 1 });

  // Undo puts everything back.
  await page.goto(card);
  await course.getByRole('button', { name: 'Hoàn tác' }).click();
  await expect(course.getByTestId('course-status')).toHaveText('Đang học');
  expect(await communeFigures(page, '4465')).toEqual({ enrolled: before.enrolled + 1, completed: before.completed });

  // Deactivating the learner takes them out of every count, so the other tests see the demo as it was.
  await page.goto(card);
  await page.getByRole('button', { name: 'Khoá' }).click();
  await expect(page).toHaveURL(/\/learners$/);
  expect(await communeFigures(page, '4465')).toEqual(before);
});
