import { test, expect, Browser, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn } from './helpers';

// Every page, as each kind of user meets it, on a phone and on a desk: axe-core's WCAG 2.1 A and AA
// rules, and not one serious or critical violation.
const VIEWPORTS = [
  { name: '360', width: 360, height: 740 },
  { name: '1280', width: 1280, height: 800 },
];

/** The serious and critical violations on the page, as "rule: where" lines (empty when none). */
async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
}

/** Opens each path and collects what axe finds there, so one run names every page that fails. */
async function scan(page: Page, paths: string[]) {
  const found: string[] = [];
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(500);
    for (const line of await violations(page)) found.push(`${path} → ${line}`);
  }
  return found;
}

/** A learner of the organiser's, and the address of their card. */
async function firstLearner(page: Page) {
  await page.goto('/learners');
  const href = await page.locator('table a[href^="/learners/"]').first().getAttribute('href');
  expect(href).toBeTruthy();
  return href!;
}

for (const viewport of VIEWPORTS) {
  test(`no serious or critical accessibility violation at ${viewport.name} px`, async ({ browser }) => {
    test.setTimeout(180_000);
    const found: string[] = [];
    const open = async () => (browser as Browser).newContext({ viewport });

    // Anyone, without an account.
    const visitor = await open();
    const anonymous = await visitor.newPage();
    found.push(...(await scan(anonymous, ['/', '/tra-cuu', '/login', '/leaderboard', '/no-such-page'])));
    await visitor.close();

    // An organiser, on their learners, units and figures; and a learner's own page from a fresh link.
    const organiserContext = await open();
    const organiser = await organiserContext.newPage();
    await signIn(organiser, 'tochuc.demo', '/learners');
    const card = await firstLearner(organiser);
    found.push(
      ...(await scan(organiser, [
        '/learners',
        '/learners/new',
        '/learners/import',
        '/learners/import-accounts',
        '/learners/unmatched',
        card,
        `${card}/edit`,
        `${card}/personal-data`,
        '/organisations',
        '/teams',
        '/dashboard',
        '/dashboard?by=team',
        '/leaderboard',
        '/reports/weekly',
        '/at-risk',
        '/guidance/new',
        '/outbox',
        '/offline',
      ])),
    );
    await organiser.goto(card);
    await organiser.getByTestId('renew-link').click();
    const link = await organiser.getByTestId('progress-link').getAttribute('href');
    await organiserContext.close();
    const learnerContext = await open();
    const learner = await learnerContext.newPage();
    found.push(...(await scan(learner, [new URL(link!).pathname])));
    await learnerContext.close();

    // The country's admin, on every administration page and the country's figures.
    const adminContext = await open();
    const admin = await adminContext.newPage();
    await signIn(admin, 'admin', '/admin/accounts');
    found.push(
      ...(await scan(admin, [
        '/?province=all',
        '/dashboard?by=province',
        '/dashboard?by=group',
        '/leaderboard?by=province',
        '/reports/weekly?province=all',
        '/admin/accounts',
        '/admin/courses',
        '/admin/targets',
        '/admin/tokens',
        '/admin/platforms',
        '/admin/audit',
        '/reports',
      ])),
    );
    await adminContext.close();

    // A province's admin.
    const provinceContext = await open();
    const province = await provinceContext.newPage();
    await signIn(province, 'quantri.laocai', '/admin/accounts');
    found.push(...(await scan(province, ['/', '/dashboard', '/admin/accounts', '/admin/targets'])));
    await provinceContext.close();

    expect(found, found.join('\n')).toEqual([]);
  });
}
