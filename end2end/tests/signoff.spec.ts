import { test, expect, Page } from '@playwright/test';
import { overflow, signIn } from './helpers';

// Issue 22: a commune organiser signs off the last complete week on the phone, and the province's
// admin approves it; the report shows each commune's state and the province's on-time rate.
test.use({ viewport: { width: 360, height: 740 } });

/** The ISO week ("2026-W48") of a date, counted in Vietnam (UTC+7). */
function isoWeek(at: Date) {
  const local = new Date(at.getTime() + 7 * 3600 * 1000);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  // The Thursday of its week decides the year (ISO 8601).
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const yearStart = new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((day.getTime() - yearStart.getTime()) / 86400000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
}

test('a commune organiser signs off the last week and the province admin approves it', async ({ page }) => {
  const week = isoWeek(new Date(Date.now() - 7 * 24 * 3600 * 1000));
  const commune = '4465';

  // The report opens on the last complete week, not on the current, still-empty one.
  await signIn(page, 'tochuc.demo', '/reports/weekly');
  await expect(page.getByTestId('signoffs')).toBeVisible();
  await expect(page.locator(`form[action="/reports/weekly/${week}/signoff"]`).first()).toBeAttached();
  const state = page.getByTestId(`signoff-state-${commune}`);
  await expect(state).toHaveAttribute('data-state', 'missing');
  expect(await overflow(page)).toBe(0);

  await page.getByTestId(`signoff-note-${commune}`).fill('Đã rà soát với các đội hình');
  await page.getByTestId(`signoff-submit-${commune}`).click();
  // Signed after Tuesday 12:00 of the week after: late, and said so.
  await expect(state).toHaveAttribute('data-state', /^(signed|late)$/);
  const signed = await state.getAttribute('data-state');
  await expect(page.getByTestId(`signoff-row-${commune}`)).toContainText('Đã rà soát với các đội hình');
  await expect(page.getByTestId(`signoff-submit-${commune}`)).toHaveCount(0);
  await expect(page.getByTestId(`signoff-changed-${commune}`)).toHaveText('0');
  await signOut(page);

  // The admin of Lào Cai approves it.
  await signIn(page, 'quantri.laocai', `/reports/weekly?week=${week}`);
  await expect(page.getByTestId(`signoff-state-${commune}`)).toHaveAttribute('data-state', signed!);
  const rate = await page.getByTestId('signoff-on-time-rate').innerText();
  expect(rate).toMatch(signed === 'signed' ? /^1\/\d+/ : /^0\/\d+/);
  await page.getByTestId(`signoff-approve-${commune}`).click();
  await expect(page.getByTestId(`signoff-state-${commune}`)).toHaveAttribute('data-state', 'approved');
  await expect(page.getByTestId(`signoff-approve-${commune}`)).toHaveCount(0);
  expect(await overflow(page)).toBe(0);

  // The organiser sees it approved.
  await signOut(page);
  await signIn(page, 'tochuc.demo', `/reports/weekly?week=${week}`);
  await expect(page.getByTestId(`signoff-state-${commune}`)).toHaveAttribute('data-state', 'approved');
});
