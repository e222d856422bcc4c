import { test, expect } from '@playwright/test';
import { signIn, overflow } from './helpers';

const PHONE = { width: 360, height: 740 };

test('a country admin drills country → province → commune → team → learners on a phone', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, 'admin', '/?province=all');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tổng quan · Cả nước');
  const provinces = page.getByTestId('provinces').locator('tbody tr');
  await expect(provinces).toHaveCount(34);
  // Only the demo's province has enrolments, so it is the one ranked.
  const laoCai = page.locator('tr[data-unit="15"]');
  await expect(laoCai.locator('td').first()).toHaveText('1');
  expect(await overflow(page)).toBe(0);

  await laoCai.getByTestId('drill').click();
  await expect(page).toHaveURL(/\/\?province=15$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tổng quan · Lào Cai');
  await expect(page.getByTestId('communes').locator('tbody tr')).toHaveCount(99);
  expect(await overflow(page)).toBe(0);

  // The best commune: to its dashboard, then its teams.
  const commune = page.getByTestId('communes').locator('tbody tr').first();
  const code = await commune.getAttribute('data-commune');
  await commune.getByTestId('drill').click();
  await expect(page).toHaveURL(new RegExp(`/dashboard\\?by=organisation&province=15&commune=${code}$`));
  await expect(page.getByTestId('breadcrumb')).toContainText('Cả nước');
  await page.getByLabel('Xem theo').selectOption('team');
  await page.getByRole('button', { name: 'Xem', exact: true }).click();
  await expect(page).toHaveURL(/by=team/);
  const team = page.getByTestId('dashboard-table').locator('tbody tr').first();
  await expect(team).toBeVisible();
  await team.getByTestId('drill').click();
  await expect(page).toHaveURL(/\/learners\?team=/);
  await expect(page.locator('table tbody tr').first()).toBeVisible();
});

test('a province admin sees their province and is refused another', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, 'quantri.laocai', '/?province=all');
  // The country, for them, is their province.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tổng quan · Lào Cai');
  const other = await page.goto('/?province=1');
  expect(other?.status()).toBe(404);
  const dashboard = await page.goto('/dashboard?by=commune&province=1');
  expect(dashboard?.status()).toBe(404);
  const api = await page.request.get('/api/v1/stats/completion?by=commune&province=1');
  expect(api.status()).toBe(404);
  const own = await page.request.get('/api/v1/stats/completion?by=province');
  expect(own.status()).toBe(200);
  const body = await own.json();
  expect(body.rows.map((r: { id: string }) => r.id)).toEqual(['15']);
});
