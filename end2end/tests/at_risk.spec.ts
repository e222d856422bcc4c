import { test, expect } from '@playwright/test';
import { overflow, signIn } from './helpers';

// A team leader's phone: 360 px wide. The demo's enrolments are from before 20/11/2026, so many of
// its learners have made no progress for a week.
test.use({ viewport: { width: 360, height: 740 } });

test('a team leader opens the at-risk list on the phone and copies a message', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, 'tochuc.demo', '/teams');

  // From their team (đội hình) to its at-risk learners, and from the navigation to the whole scope.
  await page.getByTestId('unit-at-risk').first().click();
  await expect(page).toHaveURL(/\/at-risk\?team=[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: 'Học viên cần nhắc học' })).toBeVisible();
  await page.getByRole('link', { name: 'Cần nhắc học' }).click();
  await expect(page).toHaveURL(/\/at-risk$/);

  const cards = page.getByTestId('at-risk').locator('li.call');
  await expect(cards.first()).toBeVisible();
  expect(await overflow(page)).toBe(0);
  const first = cards.first();
  await expect(first.locator('a[href^="tel:"]')).toHaveAttribute('href', /^tel:\+84\d{9}$/);
  const idle = Number(await first.getByTestId('days-idle').innerText());
  expect(idle).toBeGreaterThanOrEqual(7);

  // The button appears with its script; the message goes to the clipboard, ready for Zalo or SMS.
  const message = await first.locator('textarea').inputValue();
  expect(message).toMatch(/^Chào .+, bạn đã đăng ký khoá học «.+» \(tiến độ \d+%\)/);
  expect(message).toContain('/tra-cuu');
  await first.getByRole('button', { name: 'Chép tin nhắn' }).click();
  await expect(first.getByRole('status')).toHaveText('Đã chép');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(message);

  // Thresholds are the view's own: a month without progress is a shorter list, most idle first.
  await page.getByLabel('Không có tiến độ ít nhất (ngày)').fill('30');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await expect(page).toHaveURL(/idle_days=30/);
  const days = await page.getByTestId('days-idle').allInnerTexts();
  days.map(Number).forEach((d, i, all) => {
    expect(d).toBeGreaterThanOrEqual(30);
    if (i > 0) expect(d).toBeLessThanOrEqual(all[i - 1]);
  });

  // On paper: a call list with the numbers, without the messages, buttons or filters.
  await page.emulateMedia({ media: 'print' });
  if ((await cards.count()) > 0) {
    await expect(cards.first().locator('a[href^="tel:"]')).toBeVisible();
    await expect(cards.first().locator('textarea')).toBeHidden();
  }
  await expect(page.locator('form.filters')).toBeHidden();
});
