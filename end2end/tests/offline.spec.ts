import { test, expect, chromium, Browser, BrowserContext, Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overflow, PASSWORD, signIn } from './helpers';

// Issue 21: an organiser registers people and records a guidance session where there is no
// signal; the phone keeps everything and sends it, once, when the signal returns.

const phone = { width: 360, height: 740 };

/** A phone's browser whose storage (IndexedDB, service worker, caches) survives closing it. */
function openPhone(dir: string, baseURL: string, offline = false) {
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    headless: true,
    baseURL,
    viewport: phone,
    locale: 'vi-VN',
    offline,
  });
}

async function firstPage(context: BrowserContext) {
  return context.pages()[0] ?? (await context.newPage());
}

/** Waits until the service worker controls the site and holds the offline pages and files. */
async function offlineReady(page: Page) {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          if (!registration?.active) return false;
          for (const path of ['/learners/new', '/guidance/new', '/outbox', '/offline', '/pkg/hocvuso.css', '/outbox.js', '/outbox-store.js']) {
            if (!(await caches.match(path))) return path;
          }
          return true;
        }),
      { timeout: 20_000 },
    )
    .toBe(true);
}

interface Person {
  name: string;
  phone: string;
}

async function fillRegistration(page: Page, person: Person) {
  // The outbox script has taken the form over (module scripts run after the page is shown).
  await page.locator('html[data-outbox-ready]').waitFor({ state: 'attached' });
  await page.getByLabel('Họ và tên').fill(person.name);
  await page.getByLabel('Ngày sinh').fill('05/03/1990');
  await page.getByLabel('Giới tính').selectOption('nu');
  await page.getByLabel('Số điện thoại').fill(person.phone);
  await page.getByLabel('Xã/Phường').selectOption({ label: 'Xã Mù Cang Chải' });
  await page.getByLabel('Học viên đã đọc').check();
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
}

/** Registers on the offline form: kept on the phone, the form emptied for the next person. */
async function registerOffline(page: Page, person: Person) {
  await fillRegistration(page, person);
  await expect(page.getByTestId('outbox-saved')).toContainText('Đã lưu vào hàng chờ gửi');
  await expect(page.getByLabel('Họ và tên')).toHaveValue('');
}

async function recordGuidanceOffline(page: Page, village: string, open = true) {
  if (open) await page.goto('/guidance/new');
  await page.locator('html[data-outbox-ready]').waitFor({ state: 'attached' });
  await page.getByLabel('Thôn/bản').fill(village);
  await page.getByLabel('Hoặc một kỹ năng').fill('Cài VNeID');
  await page.getByLabel('Người chưa đăng ký').fill('5');
  await page.getByRole('button', { name: 'Ghi buổi hướng dẫn' }).click();
  await expect(page.getByTestId('outbox-saved')).toBeVisible();
}

/** The team's guidance sessions of all time, as the teams page counts them. */
async function teamSessions(page: Page, team: string) {
  await page.goto('/teams');
  const figures = page.locator(`tr[data-unit="${team}"] [data-testid=team-guidance] p.hint`);
  if ((await figures.count()) === 0) return 0;
  const match = ((await figures.textContent()) ?? '').match(/:\s*([\d.]+)\s+số buổi/);
  return match ? Number(match[1].replace(/\./g, '')) : 0;
}

/** How many learners the organiser finds by this name. */
async function learnersNamed(page: Page, name: string) {
  await page.goto(`/learners?q=${encodeURIComponent(name)}`);
  const total = (await page.getByTestId('learner-total').textContent()) ?? '';
  return Number(total.replace(/\D/g, ''));
}

async function outboxStates(page: Page) {
  return page.locator('[data-testid=outbox-entry]').evaluateAll((items) =>
    items.map((item) => `${(item as HTMLElement).dataset.kind}:${(item as HTMLElement).dataset.state}`).sort(),
  );
}

test('registrations and a guidance session made offline are sent once when the signal returns', async ({}, testInfo) => {
  test.setTimeout(150_000);
  const baseURL = testInfo.project.use.baseURL!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hocvuso-phone-'));
  const stamp = Date.now().toString(36).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]);
  const existing = { name: `Giàng Thị Có ${stamp}`, phone: '0977 210 001' };
  const newcomers = [
    { name: `Mùa Thị Dua ${stamp}`, phone: '0977 210 002' },
    { name: `Lầu Thị Sua ${stamp}`, phone: '0977 210 003' },
  ];

  let context = await openPhone(dir, baseURL);
  let page = await firstPage(context);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page);
  // Someone already registered (online, the plain way): the offline duplicate is to name their code.
  await fillRegistration(page, existing);
  await expect(page).toHaveURL(/\/learners\/HV-[0-9A-Z]{6}\?registered=1$/);
  const existingCode = (await page.getByTestId('learner-code').textContent())!.trim();

  // One online visit of the forms and the outbox.
  await page.goto('/guidance/new');
  const team = (await page.locator('#field-team option').first().textContent())!.trim();
  expect(await overflow(page)).toBe(0);
  await page.goto('/outbox');
  await offlineReady(page);
  expect(await overflow(page)).toBe(0);
  const sessionsBefore = await teamSessions(page, team);
  await page.goto('/learners/new');

  await context.setOffline(true);
  await page.reload();
  await registerOffline(page, newcomers[0]);
  await registerOffline(page, newcomers[1]);
  await registerOffline(page, existing);
  await recordGuidanceOffline(page, `Bản Nà Hẩu ${stamp}`);
  // A page that needs the connection says so plainly.
  await page.goto('/dashboard');
  await expect(page.getByTestId('offline')).toContainText('Trang này cần kết nối mạng');

  await page.goto('/outbox');
  const fourWaiting = ['guidance:waiting', 'registration:waiting', 'registration:waiting', 'registration:waiting'];
  await expect.poll(() => outboxStates(page)).toEqual(fourWaiting);
  await page.reload();
  await expect.poll(() => outboxStates(page)).toEqual(fourWaiting);
  // The outbox as it stands before any send, to run it a second time below.
  const unsent = await page.evaluate(() => (self as any).HocvusoOutbox.all());

  // The browser closed and opened again (its pages still offline): nothing is lost. The service
  // worker is outside Playwright's offline emulation, so Background Sync may already send them.
  await context.close();
  context = await openPhone(dir, baseURL, true);
  page = await firstPage(context);
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/outbox');
  await expect.poll(async () => (await outboxStates(page)).length).toBe(4);

  await context.setOffline(false);
  const done = ['guidance:recorded', 'registration:duplicate', 'registration:registered', 'registration:registered'];
  await expect.poll(() => outboxStates(page), { timeout: 30_000 }).toEqual(done);
  const duplicate = page.locator('[data-testid=outbox-entry][data-state=duplicate]');
  await expect(duplicate.getByTestId('outbox-code')).toHaveText(existingCode);
  const codes = await page.locator('[data-state=registered] [data-testid=outbox-code]').allTextContents();
  expect(codes).toHaveLength(2);
  for (const code of codes) expect(code).toMatch(/^HV-[0-9A-Z]{6}$/);

  for (const person of [...newcomers, existing]) expect(await learnersNamed(page, person.name)).toBe(1);
  expect(await teamSessions(page, team)).toBe(sessionsBefore + 1);

  // The same outbox sent a second time (as if every answer had been lost): nothing changes.
  await page.goto('/outbox');
  await page.evaluate(async (entries) => {
    const outbox = (self as any).HocvusoOutbox;
    for (const entry of entries) await outbox.put(entry);
    await outbox.flush(true);
  }, unsent);
  await expect.poll(() => outboxStates(page), { timeout: 30_000 }).toEqual(done);
  expect(await page.locator('[data-state=registered] [data-testid=outbox-code]').allTextContents()).toEqual(codes);
  for (const person of [...newcomers, existing]) expect(await learnersNamed(page, person.name)).toBe(1);
  expect(await teamSessions(page, team)).toBe(sessionsBefore + 1);

  // Signing out empties the offline copies (the outbox itself is kept: nothing typed is lost).
  await page.goto('/outbox');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page).toHaveURL(/\/$/);
  const kept = () =>
    page.evaluate(async () => {
      const pages = await Promise.all(['/learners/new', '/guidance/new', '/outbox'].map((p) => caches.match(p)));
      return pages.filter(Boolean).length + (await caches.has('hocvuso-cards-v1') ? 1 : 0);
    });
  await expect.poll(kept).toBe(0);

  expect(errors).toEqual([]);
  await context.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('with half of the sync requests failing, every entry arrives exactly once', async ({ browser }) => {
  test.setTimeout(120_000);
  // No service worker here: the page sends, and Playwright's routing sees every request.
  const context = await (browser as Browser).newContext({ viewport: phone, serviceWorkers: 'block' });
  const page = await context.newPage();
  await signIn(page);
  const stamp = Date.now().toString(36).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]);
  const people = [1, 2, 3].map((n) => ({ name: `Vừ Thị Lia ${stamp} ${'abc'[n - 1]}`, phone: `0977 220 00${n}` }));
  await page.goto('/guidance/new');
  const team = (await page.locator('#field-team option').first().textContent())!.trim();
  const sessionsBefore = await teamSessions(page, team);

  // Every other request fails: half never reach the server, half reach it and lose their answer.
  let sent = 0;
  await page.route('**/api/v1/**', async (route) => {
    sent += 1;
    if (sent % 4 === 1) return route.abort('internetdisconnected');
    if (sent % 4 === 3) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });

  // Without a service worker the forms are opened online, then the signal goes.
  await page.goto('/guidance/new');
  await context.setOffline(true);
  await recordGuidanceOffline(page, `Bản Lướt ${stamp}`, false);
  await context.setOffline(false);
  await page.goto('/learners/new');
  await context.setOffline(true);
  for (const person of people) await registerOffline(page, person);

  await context.setOffline(false);
  await page.goto('/outbox');
  const done = ['guidance:recorded', 'registration:registered', 'registration:registered', 'registration:registered'];
  await expect
    .poll(
      async () => {
        await page.getByRole('button', { name: 'Gửi ngay' }).click();
        return outboxStates(page);
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toEqual(done);
  expect(sent).toBeGreaterThanOrEqual(6);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  for (const person of people) expect(await learnersNamed(page, person.name)).toBe(1);
  expect(await teamSessions(page, team)).toBe(sessionsBefore + 1);
  await context.close();
});

test('a refused entry is corrected and sent again, and an expired session asks to sign in first', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await (browser as Browser).newContext({ viewport: phone, serviceWorkers: 'block' });
  const page = await context.newPage();
  await signIn(page);
  // The form is taken over before the signal goes (its scripts load online; no worker keeps them here).
  await page.locator('html[data-outbox-ready]').waitFor({ state: 'attached' });
  const stamp = Date.now().toString(36).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]);
  const wrong = { name: `Thào Thị Mỷ ${stamp}`, phone: '123' };
  await context.setOffline(true);
  await registerOffline(page, wrong);

  // The session ended while the phone was offline: the entry waits for a sign-in, then goes.
  await context.clearCookies();
  await context.setOffline(false);
  await page.goto('/outbox');
  const entry = page.getByTestId('outbox-entry');
  await expect(entry).toHaveAttribute('data-state', 'signin');
  await entry.getByRole('link', { name: 'Đăng nhập' }).click();
  await page.getByLabel('Tên đăng nhập').fill('tochuc.demo');
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page).toHaveURL(/\/outbox$/);

  // Sent, and refused with its reason; corrected in its form, it goes under the same key.
  await expect(entry).toHaveAttribute('data-state', 'refused');
  await expect(entry).toContainText('Số điện thoại');
  const id = await page.evaluate(async () => (await (self as any).HocvusoOutbox.all())[0].id);
  await entry.getByRole('link', { name: 'Sửa' }).click();
  await expect(page).toHaveURL(new RegExp(`/learners/new\\?outbox=${id}$`));
  await expect(page.getByLabel('Họ và tên')).toHaveValue(wrong.name);
  await page.getByLabel('Số điện thoại').fill('0977 230 001');
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
  await expect(page).toHaveURL(/\/outbox$/);
  await expect(entry).toHaveAttribute('data-state', 'registered');
  await expect(entry.getByTestId('outbox-code')).toHaveText(/^HV-[0-9A-Z]{6}$/);
  expect(await page.evaluate(async () => (await (self as any).HocvusoOutbox.all()).map((e: any) => e.id))).toEqual([id]);
  expect(await learnersNamed(page, wrong.name)).toBe(1);
  await context.close();
});

test('a completion recorded on a learner card opened before is kept offline and sent later', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await (browser as Browser).newContext({ viewport: phone });
  const page = await context.newPage();
  await signIn(page);
  const stamp = Date.now().toString(36).replace(/\d/g, (d) => 'abcdefghij'[Number(d)]);
  await fillRegistration(page, { name: `Hờ Thị Mai ${stamp}`, phone: '0977 240 001' });
  await expect(page.getByTestId('learner-code')).toBeVisible();
  const card = page.url().replace(/\?.*$/, '');
  await page.getByLabel('Đăng ký khoá').selectOption('KNS-01');
  await page.getByRole('button', { name: 'Đăng ký', exact: true }).click();
  const course = page.locator('li.course[data-course="KNS-01"]');
  await expect(course.getByTestId('course-status')).toHaveText('Đã đăng ký');
  await offlineReady(page);
  await page.goto(card);
  await expect
    .poll(() => page.evaluate(async (path) => Boolean(await caches.match(path)), new URL(card).pathname))
    .toBe(true);

  await context.setOffline(true);
  await page.goto(card);
  await page.locator('html[data-outbox-ready]').waitFor({ state: 'attached' });
  await course.getByLabel('Điểm').fill('9,5');
  await course.getByRole('button', { name: 'Ghi nhận hoàn thành' }).click();
  await expect(page.getByTestId('outbox-saved')).toBeVisible();

  await context.setOffline(false);
  await page.goto('/outbox');
  await expect(page.getByTestId('outbox-entry')).toHaveAttribute('data-state', 'recorded', { timeout: 30_000 });
  await page.goto(card);
  await expect(course.getByTestId('course-status')).toHaveText('Hoàn thành');
  await expect(course).toContainText('9.5');

  // Deactivating the learner takes them out of every count, so the other tests see the demo as it was.
  await page.getByRole('button', { name: 'Khoá' }).click();
  await expect(page).toHaveURL(/\/learners$/);
  await context.close();
});
