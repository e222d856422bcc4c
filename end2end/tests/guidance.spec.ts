import { test, expect } from '@playwright/test';
import { overflow, signIn } from './helpers';

// Issue 21: a guidance session's attendees are ticked on the team's list or scanned from the QR
// code on their learner card, on a phone.

test.use({ viewport: { width: 360, height: 740 } });

test('attendees are ticked on the team list and scanned from a card', async ({ page }) => {
  // This Chromium has no camera nor QR reader: a stand-in camera (a canvas) and a reader that "sees"
  // the code this test sets, so the page's own scanning code runs end to end.
  await page.addInitScript(() => {
    (window as any).__scanned = '';
    (window as any).BarcodeDetector = class {
      async detect() {
        const value = (window as any).__scanned;
        return value ? [{ rawValue: value }] : [];
      }
    };
    navigator.mediaDevices.getUserMedia = async () => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 64 });
      canvas.getContext('2d')!.fillRect(0, 0, 64, 64);
      return canvas.captureStream(5);
    };
  });
  await signIn(page, 'tochuc.demo', '/guidance/new');
  await page.locator('html[data-outbox-ready]').waitFor({ state: 'attached' });
  // Only the chosen team's list shows.
  const rosters = page.locator('[data-testid=roster]');
  expect(await rosters.count()).toBeGreaterThan(0);
  const team = (await rosters.last().getAttribute('data-roster'))!;
  await page.locator('#field-team').selectOption(team);
  const shown = page.locator(`[data-roster="${team}"]`);
  await expect(shown).toBeVisible();
  expect(await page.locator('[data-testid=roster]:visible').count()).toBe(1);
  const boxes = shown.locator('input[name=attendee]');
  expect(await boxes.count()).toBeGreaterThan(1);
  const ticked = await boxes.nth(0).getAttribute('value');
  const scanned = await boxes.nth(1).getAttribute('value');
  await boxes.nth(0).check();

  // Scanning a card adds its code to the box of attendees, once.
  const scan = page.getByRole('button', { name: 'Quét mã QR trên thẻ học viên' });
  await expect(scan).toBeVisible();
  await page.evaluate((code) => ((window as any).__scanned = code), scanned);
  await scan.click();
  await expect(page.locator('#field-attendees')).toHaveValue(scanned!);
  await scan.click();
  await expect(page.locator('#field-attendees')).toHaveValue(scanned!);
  expect(await overflow(page)).toBe(0);

  const village = `Thôn Sáng Nhù ${Date.now()}`;
  await page.getByLabel('Thôn/bản').fill(village);
  await page.getByLabel('Hoặc một kỹ năng').fill('Cài VNeID');
  await page.getByRole('button', { name: 'Ghi buổi hướng dẫn' }).click();
  await expect(page).toHaveURL(/\/teams$/);

  const sessions = await (await page.request.get(`/api/v1/guidance-sessions?team=${team}`)).json();
  const recorded = sessions.find((s: { village: string }) => s.village === village);
  expect(recorded.attendees).toEqual([ticked, scanned].sort());
});
