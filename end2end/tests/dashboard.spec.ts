import { test, expect, Page } from '@playwright/test';
import { overflow, signIn } from './helpers';

/** The rates of the table's rows, in the order shown. */
async function rates(page: Page) {
  const cells = await page.getByTestId('dashboard-table').locator('tbody td.rate .num').allInnerTexts();
  return cells.map((t) => (t === '–' ? -1 : Number(t.replace('%', '').replace(',', '.'))));
}

/** The enrolments of the table's rows, in the order shown. */
async function enrolments(page: Page) {
  const cells = await page.getByTestId('dashboard-table').locator('tbody tr td:nth-child(2)').allInnerTexts();
  return cells.map((t) => Number(t.replace(/\./g, '')));
}

/** Ranked fairly: units with at least 20 enrolments by rate, best first; then the others, most enrolments first. */
async function expectFairOrder(page: Page) {
  const [rate, enrolled] = [await rates(page), await enrolments(page)];
  const ranked = enrolled.findIndex((n) => n < 20);
  const cut = ranked === -1 ? enrolled.length : ranked;
  expect(cut).toBeGreaterThan(0);
  expect(enrolled.slice(0, cut).every((n) => n >= 20)).toBe(true);
  expect(rate.slice(0, cut)).toEqual([...rate.slice(0, cut)].sort((a, b) => b - a));
  const rest = enrolled.slice(cut);
  expect(rest).toEqual([...rest].sort((a, b) => b - a));
}

test('the steering committee reads, sorts and drills into the dashboard, then takes the weekly report', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, 'admin', '/dashboard');
  await expect(page.getByTestId('enrolled')).toHaveText('7.678');
  await expect(page.getByTestId('rate')).toHaveText('76,0%');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByTestId('enrolled')).toHaveText('7,678');
  await expect(page.getByTestId('rate')).toHaveText('76.0%');
  await page.getByRole('link', { name: 'Tiếng Việt' }).click();

  // 99 communes ranked fairly, best rate first; the header turns the order around, then sorts by name.
  const table = page.getByTestId('dashboard-table');
  await expect(table.locator('tbody tr')).toHaveCount(99);
  await expectFairOrder(page);
  const fair = await rates(page);
  await page.getByTestId('sort-rate').click();
  await expect(page).toHaveURL(/sort=rate&dir=asc/);
  expect(await rates(page)).toEqual([...fair].reverse());
  await page.getByTestId('sort-name').click();
  await expect(page).toHaveURL(/sort=name/);
  const names = await table.locator('tbody tr td:first-child a[data-testid="drill"]').allInnerTexts();
  expect(names.length).toBe(99);

  // Drill down: a commune's organisations, one organisation's teams, a team's learners.
  await page.goto('/dashboard?commune=4465');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await table.getByTestId('drill').first().click();
  await expect(page).toHaveURL(/by=organisation/);
  await expect(page).toHaveURL(/commune=4465/);
  await expect(page.getByRole('heading', { level: 2, name: 'Cơ quan/Đơn vị' })).toBeVisible();
  await page.goto('/dashboard?by=team&commune=4465');
  await table.getByTestId('drill').first().click();
  await expect(page).toHaveURL(/\/learners\?team=/);
  await expect(page.getByTestId('learner-total')).toBeVisible();

  // The weekly report, and its workbook.
  await page.goto('/reports/weekly?week=2026-W47');
  await expect(page.getByTestId('weekly-report').locator('h1')).toContainText('2026-W47');
  await expect(page.getByTestId('report-communes').locator('tbody tr')).toHaveCount(99);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
  expect(download.suggestedFilename()).toBe('bao-cao-tuan-2026-W47.xlsx');
  const path = await download.path();
  expect(path).toBeTruthy();
  expect(errors).toEqual([]);
});

for (const width of [360, 1280]) {
  test(`dashboards fit a ${width} px screen without sideways scrolling`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, 'admin', '/dashboard');
    for (const path of ['/dashboard', '/dashboard?by=team&period=2026-11', '/leaderboard?by=commune&week=2026-W47', '/reports/weekly?week=2026-W47']) {
      await page.goto(path);
      await expect(page.locator('main h1')).toBeVisible();
      expect(await overflow(page), path).toBe(0);
      await page.screenshot({ path: `test-results/screens/${width}${path.replace(/[/?&=]/g, '_')}.png`, fullPage: true });
    }
  });
}
