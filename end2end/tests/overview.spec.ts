import { test, expect } from '@playwright/test';

test('overview shows the demo campaign figures in Vietnamese by default', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByTestId('enrolled')).toHaveText('7.678');
  await expect(page.getByTestId('completed')).toHaveText('5.835');
  await expect(page.getByTestId('rate')).toHaveText('76,0%');
  await expect(page.getByTestId('teams')).toHaveText('152');
  await expect(page.getByTestId('communes').locator('tbody tr')).toHaveCount(99);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Lào Cai');
  expect(errors).toEqual([]);
});

test('the language switch shows the same figures in English', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('enrolled')).toHaveText('7,678');
  await expect(page.getByTestId('rate')).toHaveText('76.0%');
  await expect(page.getByRole('columnheader', { name: 'Completion rate' })).toBeVisible();
  await page.getByRole('link', { name: 'Tiếng Việt' }).click();
  await expect(page.getByTestId('enrolled')).toHaveText('7.678');
});

test('overview fits a 360 px phone without horizontal scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await expect(page.getByTestId('rate')).toHaveText('76,0%');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBe(0);
});
