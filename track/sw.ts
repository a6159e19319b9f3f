// The tracking page's service worker, served as /t/sw.js (scope /t/). Two parts:
// 1. Offline: the page shell (track/index.html and its hashed assets) is kept,
//    so /t/<office>/<day>/<number> opens without a network; the page itself
//    keeps the last view per ticket (localStorage) and shows it with its age.
// 2. Web Push (contract C4, helper notify sends): a payload { title, body, url,
//    tag } is shown as a notification; a tap opens or focuses that page.
// Built by scripts/build.mjs with esbuild (one file, no imports at run time).

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  notification: { data: unknown; close(): void };
}
interface WindowClient {
  url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
}
interface Worker {
  registration: ServiceWorkerRegistration;
  clients: { claim(): Promise<void>; matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>; openWindow(url: string): Promise<WindowClient | null> };
  skipWaiting(): Promise<void>;
  location: Location;
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'push', fn: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationEvent) => void): void;
}
const sw = self as unknown as Worker;

// ------------------------------------------------------------------ offline shell

const CACHE = 'giliran-track-v1';
const SHELL = '/track/index.html';

/** The shell and every /assets/ file it names, fetched fresh; older assets are dropped. */
async function cacheShell(): Promise<void> {
  const res = await fetch(SHELL, { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  const cache = await caches.open(CACHE);
  await Promise.all(assets.map(async (a) => ((await cache.match(a)) ? undefined : cache.add(a))));
  await cache.put(SHELL, res);
  const keep = new Set([SHELL, ...assets]);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (!keep.has(path) && path.startsWith('/assets/')) await cache.delete(req);
  }
}

sw.addEventListener('install', (e) => {
  e.waitUntil(cacheShell().catch(() => undefined).then(() => sw.skipWaiting()));
});
sw.addEventListener('activate', (e) => {
  e.waitUntil(sw.clients.claim());
});

/** Within how long a network answer must come before the kept shell is shown. */
const NAVIGATION_TIMEOUT_MS = 4_000;

sw.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  if (req.mode === 'navigate' && url.pathname.startsWith('/t/')) {
    // Network first (a new build at once), the kept shell when there is none.
    e.respondWith(
      (async () => {
        try {
          const res = await fetch(req, { signal: AbortSignal.timeout(NAVIGATION_TIMEOUT_MS) });
          if (res.ok) e.waitUntil(cacheShell().catch(() => undefined));
          return res;
        } catch {
          return (await caches.match(SHELL)) ?? Response.error();
        }
      })(),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change content: the kept copy is the file.
    e.respondWith(
      (async () => {
        const hit = await caches.match(req);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok) {
          const copy = res.clone();
          e.waitUntil(caches.open(CACHE).then((c) => c.put(req, copy)));
        }
        return res;
      })(),
    );
  }
});

// ------------------------------------------------------------------ Web Push (C4)
// Owned by helper notify: the payload is { title, body, url, tag }.

interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
}

sw.addEventListener('push', (e) => {
  let p: Partial<PushPayload> = {};
  try {
    p = (e.data?.json() ?? {}) as Partial<PushPayload>;
  } catch {
    p = { body: e.data?.text() ?? '' };
  }
  const title = p.title || 'Giliran';
  const options: NotificationOptions & { renotify?: boolean; vibrate?: number[] } = {
    body: p.body ?? '',
    tag: p.tag ?? 'giliran',
    renotify: true,
    requireInteraction: true,
    vibrate: [400, 200, 400],
    data: { url: p.url ?? '/' },
  };
  e.waitUntil(sw.registration.showNotification(title, options));
});

sw.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = new URL((e.notification.data as { url?: string } | null)?.url ?? '/', sw.location.origin).href;
  e.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const same = windows.find((w) => w.url.split('?')[0] === url.split('?')[0]);
      if (same) return same.focus();
      return sw.clients.openWindow(url);
    })(),
  );
});
