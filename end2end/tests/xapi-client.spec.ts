import { test, expect, Browser } from '@playwright/test';
import XAPI, { Agent, Statement } from '@xapi/xapi';
import { communeFigures, hocvuso, register, signIn } from './helpers';

// The demo's courses KNS-01 and DVC-02, by their links.
const KNS_01 = 'https://example.edu.vn/courses/kns-01';
const DVC_02 = 'https://example.edu.vn/courses/dvc-02';
const EXPERIENCED = 'http://adlnet.gov/expapi/verbs/experienced';
const MU_CANG_CHAI = '4456';

test('a platform sends statements through @xapi/xapi and the learner sees exactly those completions', async ({
  page,
  browser,
  baseURL,
}) => {
  // An organiser registers the learner the platform will report on (refused until consent is ticked).
  await signIn(page);
  await register(page, 'Sùng A Páo', '0977 500 001', '02/09/1994');
  await page.getByLabel('Học viên đã đọc').check();
  await page.getByRole('button', { name: 'Đăng ký học viên' }).click();
  const code = (await page.getByTestId('learner-code').innerText()).trim();
  expect(code).toMatch(/^HV-/);
  const card = page.url().replace(/\?.*$/, '');
  const link = await page.getByTestId('progress-link').getAttribute('href');
  const before = await communeFigures(page, MU_CANG_CHAI);

  // The platform connection, made with the command line on the server's database: KEY:SECRET on the last line.
  const printed = hocvuso('platform', 'create', '--name', 'MOOC thử nghiệm', '--home-page', 'https://mooc.example.vn');
  const credentials = printed.trim().split('\n').pop()!;
  const colon = credentials.indexOf(':');
  const xapi = new XAPI({
    endpoint: `${baseURL}/xapi/`,
    auth: XAPI.toBasicAuth(credentials.slice(0, colon), credentials.slice(colon + 1)),
    version: '1.0.3',
  });

  const about = await xapi.getAbout();
  expect(about.data.version).toContain('1.0.3');

  // The learner as the site names them: its public address (HOCVUSO_PUBLIC_URL, here the default) and the code.
  const learner: Agent = { objectType: 'Agent', account: { homePage: baseURL!, name: code } };
  const statement = (verb: string, course: string, extra: Partial<Statement> = {}): Statement => ({
    actor: learner,
    verb: { id: verb, display: { 'en-US': verb.split('/').pop()! } },
    object: { objectType: 'Activity', id: course },
    ...extra,
  });

  const sent = await xapi.sendStatement({
    statement: statement(XAPI.Verbs.COMPLETED.id, KNS_01, { result: { completion: true, score: { scaled: 0.9 } } }),
  });
  expect(sent.data).toHaveLength(1);
  const completedId = sent.data[0];

  const batch = await xapi.sendStatements({
    statements: [
      statement(XAPI.Verbs.PASSED.id, DVC_02, { result: { success: true, score: { scaled: 0.8 } } }),
      statement(EXPERIENCED, KNS_01),
    ],
  });
  expect(batch.data).toHaveLength(2);
  const [passedId, experiencedId] = batch.data;

  const kept = (await xapi.getStatement({ statementId: completedId })).data;
  expect(kept.id).toBe(completedId);
  expect(kept.verb.id).toBe(XAPI.Verbs.COMPLETED.id);
  expect(kept.actor).toEqual(learner);
  expect(kept.result?.score?.scaled).toBe(0.9);
  expect(kept.stored).toBeTruthy();
  expect(kept.authority).toBeTruthy();

  const passed = (await xapi.getStatements({ verb: XAPI.Verbs.PASSED.id, agent: learner })).data;
  expect(passed.statements.map((s) => s.id)).toEqual([passedId]);
  const experienced = (await xapi.getStatements({ verb: EXPERIENCED, agent: learner })).data;
  expect(experienced.statements.map((s) => s.id)).toEqual([experiencedId]);

  // Voiding hides the statement from queries: the same filter now finds the voiding statement that
  // targets it (xAPI 1.0.3, filter conditions for StatementRefs); voidedStatementId still reads it.
  const voiding = await xapi.voidStatement({ actor: learner, statementId: experiencedId });
  expect(voiding.data).toHaveLength(1);
  const voidingId = voiding.data[0];
  const afterVoiding = (await xapi.getStatements({ verb: EXPERIENCED, agent: learner })).data.statements;
  expect(afterVoiding.map((s) => [s.id, s.verb.id])).toEqual([[voidingId, XAPI.Verbs.VOIDED.id]]);
  expect((await xapi.getVoidedStatement({ voidedStatementId: experiencedId })).data.id).toBe(experiencedId);

  // The learner's own page: two courses, both completed, nothing else.
  const own = await (browser as Browser).newContext();
  const mine = await own.newPage();
  await mine.goto(new URL(link!).pathname);
  await expect(mine.getByTestId('my-completion')).toHaveText('2/2');
  await expect(mine.locator('li.course')).toHaveCount(2);
  await expect(mine.locator('li.course[data-course="KNS-01"] .status')).toHaveText('Hoàn thành');
  await expect(mine.locator('li.course[data-course="DVC-02"] .status')).toHaveText('Hoàn thành');
  await own.close();

  // The organiser's card, with the scores, and the commune's figures moved by exactly two.
  await page.goto(card);
  const kns = page.locator('li.course[data-course="KNS-01"]');
  const dvc = page.locator('li.course[data-course="DVC-02"]');
  await expect(kns.getByTestId('course-status')).toHaveText('Hoàn thành');
  await expect(dvc.getByTestId('course-status')).toHaveText('Hoàn thành');
  await expect(kns).toContainText('Điểm 90');
  await expect(dvc).toContainText('Điểm 80');
  expect(await communeFigures(page, MU_CANG_CHAI)).toEqual({
    enrolled: before.enrolled + 2,
    completed: before.completed + 2,
  });

  // Deactivating the learner takes them out of every count, so the other tests see the demo as it was.
  await page.goto(card);
  await page.getByRole('button', { name: 'Khoá' }).click();
  await expect(page).toHaveURL(/\/learners$/);
  expect(await communeFigures(page, MU_CANG_CHAI)).toEqual(before);
});
