// The outbox's store and sender (issue 21), shared by the pages (`outbox.js` imports it) and the
// service worker (`sw.js` loads it with importScripts), so it touches no DOM and exports through
// `self.HocvusoOutbox`. Each entry is kept in IndexedDB before anything is sent; its id (a UUID v7
// made here) is the request's Idempotency-Key, so a repeat is applied once by the server.
(function (global) {
  'use strict';

  const DB_NAME = 'hocvuso-outbox';
  const STORE = 'entries';
  const ENDPOINTS = {
    registration: '/api/v1/learners',
    guidance: '/api/v1/guidance-sessions',
    completion: '/api/v1/completions',
  };
  // Every page and the service worker hear of each change (the outbox page redraws).
  const channel = 'BroadcastChannel' in global ? new BroadcastChannel('hocvuso-outbox') : null;

  /** A UUID v7: 48 bits of milliseconds, then random bits (RFC 9562). */
  function uuidv7() {
    const b = new Uint8Array(16);
    global.crypto.getRandomValues(b);
    const ms = Date.now();
    b[0] = Math.floor(ms / 2 ** 40) & 255;
    b[1] = Math.floor(ms / 2 ** 32) & 255;
    b[2] = (ms >>> 24) & 255;
    b[3] = (ms >>> 16) & 255;
    b[4] = (ms >>> 8) & 255;
    b[5] = ms & 255;
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function promised(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function openDb() {
    const request = global.indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    return promised(request);
  }

  /** Runs one request on the store and resolves when its transaction is committed (durable). */
  async function withStore(mode, makeRequest) {
    const db = await openDb();
    try {
      const transaction = db.transaction(STORE, mode);
      const result = promised(makeRequest(transaction.objectStore(STORE)));
      await new Promise((resolve, reject) => {
        transaction.oncomplete = resolve;
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
      return result;
    } finally {
      db.close();
    }
  }

  const all = () => withStore('readonly', (s) => s.getAll());
  const get = (id) => withStore('readonly', (s) => s.get(id));
  const listeners = [];
  async function put(entry) {
    await withStore('readwrite', (s) => s.put(entry));
    if (channel) channel.postMessage({ changed: entry.id });
    for (const listener of listeners) listener();
  }
  /** Calls `listener` after each change, made here or in another tab or the service worker. */
  function onChange(listener) {
    listeners.push(listener);
    if (channel) channel.addEventListener('message', listener);
  }

  const text = (pairs, name) => {
    const found = pairs.find(([key]) => key === name);
    return found ? String(found[1]) : '';
  };
  const present = (value) => (value.trim() === '' ? undefined : value.trim());

  /** The REST body of a form's fields (`[name, value]` pairs), as the server's plain posts read them. */
  function bodyOf(kind, pairs, learnerCode) {
    if (kind === 'registration') {
      const body = {};
      for (const name of ['full_name', 'birth_date', 'gender', 'phone', 'commune', 'province', 'organisation', 'team', 'group']) {
        body[name] = text(pairs, name);
      }
      // An unchecked consent box sends nothing, as in the plain post.
      const consent = present(text(pairs, 'consent_version'));
      if (consent) body.consent_version = consent;
      return body;
    }
    if (kind === 'guidance') {
      // As GuidanceFields::to_session_form (app/src/forms.rs).
      const guided = text(pairs, 'guided_unregistered').trim();
      return {
        team: text(pairs, 'team').trim(),
        date: text(pairs, 'date').trim(),
        commune: present(text(pairs, 'commune')),
        village: text(pairs, 'village'),
        course: present(text(pairs, 'course')),
        topic: present(text(pairs, 'topic')),
        attendees: [
          ...text(pairs, 'attendees').split(/[\s,;]+/),
          ...pairs.filter(([name]) => name === 'attendee').map(([, code]) => String(code).trim()),
        ].filter((code) => code !== ''),
        guided_unregistered: guided === '' ? 0 : /^\d+$/.test(guided) ? Number(guided) : -1,
      };
    }
    // A completion: the card's form, one report, as the form's own post reads it (Score::parse):
    // "8,5" is 8.5; anything that is not a number goes as typed, for the server to refuse by name.
    const typed = text(pairs, 'score').trim();
    const number = Number(typed.replace(',', '.'));
    return [
      {
        learner_code: learnerCode,
        course_code: text(pairs, 'course_code'),
        completed_at: text(pairs, 'completed_at'),
        score: typed === '' ? undefined : Number.isFinite(number) ? number : typed,
        certificate_no: present(text(pairs, 'certificate_no')),
      },
    ];
  }

  /** A short label that lets the organiser recognise the entry (kept after its details are dropped). */
  function summaryOf(kind, body) {
    if (kind === 'registration') return body.full_name;
    if (kind === 'guidance') return `${body.village} · ${body.date}`;
    return `${body[0].learner_code} · ${body[0].course_code}`;
  }

  /** Keeps a new entry (with `id` when the page already made one), or the corrected fields of a
   *  refused one (same id, so the same key). */
  async function save(kind, pairs, { id, learnerCode, account } = {}) {
    const earlier = id ? await get(id) : undefined;
    const code = learnerCode || (earlier && earlier.learnerCode) || '';
    const body = bodyOf(kind, pairs, code);
    const entry = {
      id: earlier ? earlier.id : id || uuidv7(),
      kind,
      learnerCode: code,
      // The account it was typed under: only that account may send it.
      account: account || (earlier && earlier.account) || '',
      fields: pairs,
      body,
      summary: summaryOf(kind, body),
      createdAt: earlier ? earlier.createdAt : new Date().toISOString(),
      state: 'waiting',
      attempts: 0,
      nextAt: 0,
      result: null,
    };
    await put(entry);
    return entry;
  }

  /** Sends one entry and keeps its outcome. Returns false when sending should stop for now. */
  async function send(entry) {
    let response;
    try {
      response = await fetch(ENDPOINTS[entry.kind], {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': entry.id,
          ...(entry.account ? { 'outbox-account': entry.account } : {}),
        },
        body: JSON.stringify(entry.body),
      });
    } catch {
      // No connection (or the answer was lost): the same key is sent again later.
      await retryLater(entry);
      return false;
    }
    const answer = await response.json().catch(() => ({}));
    const status = response.status;
    if (status === 401) {
      await put({ ...entry, state: 'signin' });
      return false;
    }
    if (status === 429 || status === 408 || status >= 500) {
      await retryLater(entry);
      return false;
    }
    if (status === 409 && entry.kind === 'registration') {
      return done(entry, 'duplicate', { code: answer.existing || null, message: answer.message });
    }
    const errors = (answer.errors || []).map((e) => ({ field: e.field, message: e.message }));
    if (status === 422 && errors.some((e) => e.field === 'Outbox-Account')) {
      // Typed under another account: it waits for that account to sign in on this phone.
      await put({ ...entry, state: 'signin', result: { account: entry.account, message: errors[0].message } });
      return true;
    }
    if (status >= 400) {
      await put({ ...entry, state: 'refused', result: { message: answer.message || `HTTP ${status}`, errors } });
      return true;
    }
    if (entry.kind === 'registration') return done(entry, 'registered', { code: answer.code });
    if (entry.kind === 'completion') {
      const refused = answer.filter((item) => !item.ok);
      if (refused.length > 0) {
        const errors = refused.map((item) => ({ field: item.course_code, message: item.message }));
        await put({ ...entry, state: 'refused', result: { message: refused[0].message, errors } });
        return true;
      }
    }
    return done(entry, 'recorded', {});
  }

  /** Keeps the outcome; the personal details typed are dropped once the server holds them. */
  async function done(entry, state, result) {
    await put({ ...entry, state, result, body: null, fields: null });
    return true;
  }

  /** Backoff: 5 s, 10 s, 20 s … at most 10 minutes. */
  async function retryLater(entry) {
    const attempts = entry.attempts + 1;
    const delay = Math.min(5000 * 2 ** (attempts - 1), 600000);
    await put({ ...entry, state: 'waiting', attempts, nextAt: Date.now() + delay });
  }

  /** Sends every waiting entry whose time has come (all of them when `force`), oldest first. */
  async function flushUnlocked(force) {
    const entries = (await all()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const listed of entries) {
      if (listed.state !== 'waiting' && listed.state !== 'signin') continue;
      // Read again: another tab or the service worker may have sent it meanwhile.
      const entry = await get(listed.id);
      const due = entry && (entry.state === 'waiting' || entry.state === 'signin');
      if (!due || (!force && entry.nextAt > Date.now())) continue;
      if (!(await send(entry))) break;
    }
  }

  /** One flush at a time across tabs and the service worker (Web Locks where there are). */
  function flush(force = false) {
    const locks = global.navigator && global.navigator.locks;
    if (locks) return locks.request('hocvuso-outbox', () => flushUnlocked(force));
    return flushUnlocked(force);
  }

  global.HocvusoOutbox = { uuidv7, all, get, put, save, flush, onChange };
})(self);
