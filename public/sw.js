// hocvuso's service worker (issue 21): after one visit while signed in, the organiser's forms, the
// outbox and learner cards already opened work without signal. Figures pages and the REST API are
// never cached here; sign-out empties every cache. Served by the app at /sw.js with `no-cache`.
importScripts('/outbox-store.js');

const SHELL = 'hocvuso-shell-v1';
const CARDS = 'hocvuso-cards-v1';
/** Pages an organiser needs offline; refreshed on visits (at most hourly, or when the language changes). */
const PAGES = ['/learners/new', '/guidance/new', '/outbox', '/offline'];
const ASSETS = [
  '/pkg/hocvuso.css',
  '/outbox.js',
  '/outbox-store.js',
  '/scan.js',
  '/manifest.webmanifest',
  '/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
];
/** Learner cards kept for offline use: the most recently opened ones. */
const MAX_CARDS = 50;
/** A form post that gets no answer from the network within this is kept in the outbox instead. */
const NETWORK_TIMEOUT_MS = 15000;
/** Where the time and language of the last precache are noted, in the shell cache. */
const MARKER = '/__precached';

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL && n !== CARDS).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** Fetches the offline pages and files (with the session cookie) and keeps those that answered 200. */
async function precache(lang) {
  const cache = await caches.open(SHELL);
  await Promise.all(
    [...PAGES, ...ASSETS].map(async (path) => {
      try {
        const response = await fetch(path, { credentials: 'same-origin', cache: 'no-cache' });
        if (response.ok && !response.redirected) await cache.put(path, response);
      } catch {
        // Offline or refused: the copy kept before (if any) stays.
      }
    }),
  );
  await cache.put(MARKER, new Response(JSON.stringify({ at: Date.now(), lang: lang || '' })));
}

async function precacheIfStale(lang) {
  const marker = await caches.match(MARKER, { cacheName: SHELL });
  const noted = marker ? await marker.json() : null;
  if (!noted || noted.lang !== lang || Date.now() - noted.at > 3600 * 1000) await precache(lang);
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'precache') event.waitUntil(precacheIfStale(data.lang));
});

// Background Sync (where the browser has it): the outbox is sent even with no page open.
self.addEventListener('sync', (event) => {
  if (event.tag === 'hocvuso-outbox') event.waitUntil(self.HocvusoOutbox.flush(true));
});

const isCard = (path) => /^\/learners\/HV-[0-9A-Z]+$/.test(path);
const isAsset = (path) => ASSETS.includes(path) || path.startsWith('/pkg/') || path.startsWith('/icons/');

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname === '/sw.js') return;
  if (request.method === 'POST') {
    if (url.pathname === '/logout') event.waitUntil(clearCaches());
    const completion = url.pathname.match(/^\/learners\/(HV-[0-9A-Z]+)\/complete$/);
    const kind = { '/learners/new': 'registration', '/guidance/new': 'guidance' }[url.pathname] || (completion && 'completion');
    if (kind && request.mode === 'navigate') event.respondWith(postOrKeep(request, kind, completion && completion[1]));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') {
    if (PAGES.includes(url.pathname)) event.respondWith(networkFirst(request, SHELL, url.pathname));
    else if (isCard(url.pathname)) event.respondWith(networkFirst(request, CARDS, url.pathname));
    // Everything else (figures pages included) is network only, with a plain page when offline.
    else event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (isAsset(url.pathname)) event.respondWith(staleWhileRevalidate(request));
});

/** The network's answer (kept for next time when it is a 200), else the copy kept, else the offline page. */
async function networkFirst(request, cacheName, key) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      const cache = await caches.open(cacheName);
      await cache.put(key, response.clone());
      if (cacheName === CARDS) await trimCards(cache);
    }
    return response;
  } catch {
    return (await caches.match(key, { cacheName })) || offlinePage();
  }
}

async function trimCards(cache) {
  const keys = await cache.keys();
  // Keys come back in insertion order; a card opened again is put again, so the oldest go first.
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_CARDS)).map((key) => cache.delete(key)));
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(new URL(request.url).pathname, response.clone());
      return response;
    })
    .catch(() => kept || Response.error());
  return kept || fresh;
}

async function offlinePage() {
  const kept = await caches.match('/offline', { cacheName: SHELL });
  if (kept) return kept;
  // Never precached (first visit offline): still a page of ours, in both languages.
  const html =
    '<!DOCTYPE html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Không có kết nối mạng · You are offline</title>' +
    '<h1>Không có kết nối mạng · You are offline</h1>' +
    '<p>Trang này cần kết nối mạng. · This page needs the connection.</p>';
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/**
 * A registration, guidance or completion form posted the plain way (JavaScript thought it was online): the
 * server's answer when it comes; when the network fails, the entry is kept in the outbox with the
 * id the page gave it (`outbox_id`, also the post's idempotency key) and the outbox is shown.
 */
async function postOrKeep(request, kind, learnerCode) {
  const copy = request.clone();
  try {
    return await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
  } catch {
    const form = await copy.formData();
    const pairs = [...form.entries()].filter(([name]) => name !== 'outbox_id' && name !== 'outbox_account');
    const id = form.get('outbox_id') || undefined;
    const account = form.get('outbox_account') || undefined;
    await self.HocvusoOutbox.save(kind, pairs, { id, learnerCode, account });
    return Response.redirect('/outbox', 303);
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

async function clearCaches() {
  const names = await caches.keys();
  await Promise.all(names.map((name) => caches.delete(name)));
}
