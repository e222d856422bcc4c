// The page side of the offline outbox (issue 21), loaded only by signed-in people's pages: it
// installs the service worker, keeps what offline forms (`data-outbox`) submit on this device,
// sends it when it can, and draws the outbox page (`/outbox`) from IndexedDB. Without JavaScript
// the same forms post to the server as usual.
import './outbox-store.js';

const outbox = self.HocvusoOutbox;
const editing = new URLSearchParams(location.search).get('outbox');

if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      // Keeps the offline copies of the forms current, in the language of this page.
      if (navigator.onLine && registration.active) {
        registration.active.postMessage({ type: 'precache', lang: document.documentElement.lang });
      }
    })
    .catch(() => {});
}

/** Asks for Background Sync, so the outbox is sent even if no page is open when the signal returns. */
function requestSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register('hocvuso-outbox'))
    .catch(() => {});
}

function flush(force) {
  return outbox.flush(force).catch(() => {});
}

// ---- forms ----

/** The forms holding a refused entry being corrected (`?outbox=<id>`): sent again under its id. */
const corrections = new WeakSet();

/** The account signed in on this page (the header names it); each entry keeps it, and the server
 *  refuses an entry sent under another account (a shared phone). */
const signedInAs = (document.querySelector('[data-account]') || { dataset: {} }).dataset.account || '';

/** Sets a hidden field of the plain post, adding it when the form has none. */
function hidden(form, name, value) {
  let field = form.querySelector(`input[name=${name}]`);
  if (!field) {
    field = Object.assign(document.createElement('input'), { type: 'hidden', name });
    form.append(field);
  }
  field.value = value;
}

/** The team's list of learners to tick: only the chosen team's (every list shows without JavaScript). */
function showRoster(form) {
  const team = form.querySelector('select[name=team]');
  if (!team) return;
  for (const roster of form.querySelectorAll('[data-roster]')) {
    const chosen = roster.dataset.roster === team.value;
    roster.hidden = !chosen;
    if (!chosen) for (const box of roster.querySelectorAll('input[type=checkbox]')) box.checked = false;
  }
}

for (const form of document.querySelectorAll('form[data-outbox]')) {
  const kind = form.dataset.outbox;
  showRoster(form);
  form.addEventListener('change', (event) => {
    if (event.target.name === 'team') showRoster(form);
  });
  if (editing) fill(form, editing);
  form.addEventListener('submit', async (event) => {
    const id = corrections.has(form) ? editing : undefined;
    if (navigator.onLine && !id) {
      // Online: the plain post, with a key the server applies once; if the network fails on the
      // way, the service worker keeps the entry in the outbox under this same key.
      hidden(form, 'outbox_id', outbox.uuidv7());
      if (signedInAs) hidden(form, 'outbox_account', signedInAs);
      return;
    }
    event.preventDefault();
    const pairs = [...new FormData(form).entries()].filter(([name]) => name !== 'outbox_id' && name !== 'outbox_account');
    await outbox.save(kind, pairs, { id, learnerCode: form.dataset.learner, account: signedInAs });
    requestSync();
    if (id) {
      await flush(true);
      location.assign('/outbox');
      return;
    }
    form.reset();
    showSaved(form);
    flush(true);
  });
}

// Forms are taken over from here on (a submit before this posts the plain way).
document.documentElement.dataset.outboxReady = '';

/** "Saved in this device's outbox", under the form's heading, with a link to the outbox. */
function showSaved(form) {
  let notice = document.querySelector('[data-testid=outbox-saved]');
  if (!notice) {
    notice = document.createElement('p');
    notice.className = 'notice';
    notice.setAttribute('role', 'status');
    notice.dataset.testid = 'outbox-saved';
    form.before(notice);
  }
  const link = Object.assign(document.createElement('a'), { href: '/outbox', textContent: form.dataset.outboxLink || '/outbox' });
  notice.replaceChildren(`${form.dataset.saved || ''} `, link);
  notice.scrollIntoView({ block: 'nearest' });
}

/** Puts a refused entry's fields back into its form, with the server's reasons above it. */
async function fill(form, id) {
  const entry = await outbox.get(id);
  if (!entry || !entry.fields || entry.kind !== form.dataset.outbox) return;
  const course = form.querySelector('[name=course_code]');
  if (entry.kind === 'completion' && course && course.value !== entry.body[0].course_code) return;
  corrections.add(form);
  for (const box of form.querySelectorAll('input[type=checkbox]')) box.checked = false;
  for (const [name, value] of entry.fields) {
    const boxes = [...form.querySelectorAll('input[type=checkbox]')].filter((box) => box.name === name);
    if (boxes.length > 0) {
      // A checkbox sends its value when ticked: tick the one with that value.
      for (const box of boxes) if (box.value === value) box.checked = true;
      continue;
    }
    const field = form.elements.namedItem(name);
    if (field) field.value = value;
  }
  showRoster(form);
  for (const roster of form.querySelectorAll('[data-roster]')) {
    if (roster.querySelector('input:checked')) roster.hidden = false;
  }
  if (entry.result && entry.result.errors) {
    const problems = document.createElement('ul');
    problems.className = 'error';
    problems.setAttribute('role', 'alert');
    for (const error of entry.result.errors) {
      problems.append(Object.assign(document.createElement('li'), { textContent: error.message }));
    }
    form.before(problems);
  }
}

// ---- the outbox page ----

const list = document.getElementById('outbox');
if (list) {
  const texts = {};
  for (const item of document.querySelectorAll('#outbox-texts [data-text]')) texts[item.dataset.text] = item.textContent;
  const draw = () => render(list, texts);
  draw();
  outbox.onChange(draw);
  document.getElementById('outbox-send').addEventListener('click', () => flush(true).then(draw));
}

const STATE_TEXT = { waiting: 'waiting', registered: 'registered', duplicate: 'duplicate', recorded: 'recorded', refused: 'refused', signin: 'signin' };
const EDIT_PAGE = { registration: '/learners/new', guidance: '/guidance/new' };

async function render(list, texts) {
  const entries = (await outbox.all()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const items = entries.map((entry) => {
    const item = document.createElement('li');
    item.dataset.testid = 'outbox-entry';
    item.dataset.state = entry.state;
    item.dataset.kind = entry.kind;
    const title = Object.assign(document.createElement('strong'), { textContent: `${texts[entry.kind]}: ` });
    const state = Object.assign(document.createElement('span'), { className: 'outbox-state', textContent: texts[STATE_TEXT[entry.state]] });
    item.append(title, `${entry.summary} — `, state);
    const result = entry.result || {};
    if ((entry.state === 'registered' || entry.state === 'duplicate') && result.code) {
      const code = Object.assign(document.createElement('a'), { href: `/learners/${result.code}`, textContent: result.code });
      code.dataset.testid = 'outbox-code';
      item.append(' ', code);
    }
    if (entry.state === 'duplicate' && !result.code && result.message) item.append(` (${result.message})`);
    if (entry.state === 'refused') {
      const reasons = document.createElement('ul');
      const errors = result.errors && result.errors.length > 0 ? result.errors : [{ message: result.message }];
      for (const error of errors) reasons.append(Object.assign(document.createElement('li'), { textContent: error.message }));
      const page = EDIT_PAGE[entry.kind] || `/learners/${entry.learnerCode}`;
      const edit = Object.assign(document.createElement('a'), { href: `${page}?outbox=${entry.id}`, textContent: texts.edit });
      item.append(reasons, edit);
    }
    if (entry.state === 'signin') {
      if (result.account) item.append(` (${texts['typed-by']}: ${result.account})`);
      item.append(' ', Object.assign(document.createElement('a'), { href: '/login?next=/outbox', textContent: texts['sign-in'] }));
    }
    return item;
  });
  if (items.length === 0) items.push(Object.assign(document.createElement('li'), { textContent: texts.empty }));
  list.replaceChildren(...items);
}

// ---- when to send ----

flush(true);
addEventListener('online', () => flush(true));
// Periodic retry; each entry waits out its own backoff (`nextAt`).
setInterval(() => {
  if (navigator.onLine) flush(false);
}, 15000);
