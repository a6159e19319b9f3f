// The citizen's phone in real Chromium (390×844, one check at 360×640) against
// a real server: the receipt's URL shows the number, the people ahead and the
// wait range; a counter's call turns the page into "Silakan ke Loket N" within
// 2 s with a chime and a vibration; offline is shown with the figures' age;
// the service worker reopens the page with no server at all; the holder
// cancels after a confirmation; a wrong key shows only a message; English;
// axe on every state; screenshots in test/artifacts/track-*.png.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackUrl } from '../../protocol/urls.ts';
import { holderKey } from '../../server/auth/holder-key.ts';
import { checkScreen, copyOfDist, launchBrowser, type ScreenRules } from '../helpers/browser.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let serverUp = false;
let browser: Browser;
let distDir: string;
let cookie = '';
/** Polls wait this long: pages load and sockets connect on a busy two-core machine. */
const WAIT = { timeout: 10_000 };
const PHONE = { width: 390, height: 844 };
const SMALL = { width: 360, height: 640 };
/** Elderly readers: 20 px text at least, 44 px targets, never wider than the phone. */
const RULES: ScreenRules = { minText: 20, minTarget: 44, fitsWidth: true };

beforeAll(async () => {
  distDir = await copyOfDist('track');
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000, distDir } });
  serverUp = true;
  cookie = await login(srv.url, 'petugas1');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  if (serverUp) await srv?.close();
  if (distDir) await rm(path.dirname(distDir), { recursive: true, force: true });
});

interface Issued {
  id: string;
  number: string;
  /** The holder key the kiosk puts in the receipt's QR link. */
  key: string;
}

async function issue(service = 'ktp-el'): Promise<Issued> {
  const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.holderKey).toBe(holderKey(srv.giliran.secrets.holderKey, 'kupang', r.body.ticket.id));
  return { id: r.body.ticket.id, number: r.body.ticket.number, key: r.body.holderKey };
}

/** The address printed on the receipt (with its holder key unless told otherwise). */
function printedUrl(t: Issued, key: string | null = t.key): string {
  return trackUrl(srv.url, 'kupang', t.id, key ?? undefined);
}

async function counter(command: string, body: unknown = {}) {
  const r = await request(srv.url, 'POST', `/api/v1/offices/kupang/counters/1/${command}`, { body, cookie });
  return r;
}

async function openPhone(url: string, viewport = PHONE, context?: BrowserContext): Promise<Page> {
  // bypassCSP: axe-core goes in as an inline script; the page runs under the server's CSP otherwise.
  const ctx = context ?? (await browser.newContext({ viewport, bypassCSP: true, isMobile: true, hasTouch: true }));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('track page error:', e.message));
  await page.goto(url);
  return page;
}

const text = (page: Page, id: string) => page.getByTestId(id).textContent({ timeout: 10_000 });

describe('the phone tracking page', () => {
  let mine: Issued;
  let page: Page;

  it('opens the printed URL: the number, the people ahead and the wait as a range, in under 60 KB', async () => {
    await counter('finish', { outcome: 'done' });
    await issue(); // someone before me
    mine = await issue();
    const ctx = await browser.newContext({ viewport: PHONE, bypassCSP: true, isMobile: true, hasTouch: true });
    page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('track page error:', e.message));
    // What the first visit costs: every response body as it came over the wire (CDP's encodedDataLength).
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    let transferred = 0;
    cdp.on('Network.loadingFinished', (e) => (transferred += e.encodedDataLength));
    await page.goto(printedUrl(mine));
    expect(await text(page, 'number')).toBe(mine.number);
    await expect.poll(() => text(page, 'ahead'), WAIT).toBe('1 orang di depan Anda');
    expect(await text(page, 'wait')).toMatch(/^(sekitar \d+(–\d+)? menit|kurang dari 1 menit)$/);
    expect(await page.getByText('Layanan ini GRATIS').count()).toBe(1);
    expect(await text(page, 'today')).toMatch(/^Hari ini (buka \d\d\.\d\d–\d\d\.\d\d|tutup)/);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    console.log(`track page first load: ${transferred} bytes transferred`);
    expect(transferred).toBeLessThanOrEqual(60 * 1024);
    await checkScreen(page, 'track-waiting', { rules: RULES, viewports: { '': PHONE, '360x640': SMALL } });
  });

  it('offers the holder cancel and reminders (page, push, WhatsApp/SMS with consent)', async () => {
    await page.getByTestId('notify').scrollIntoViewIfNeeded();
    expect(await page.getByText('Izinkan notifikasi').count()).toBe(1);
    await page.getByLabel('WhatsApp').check();
    expect(await page.getByTestId('consent').count()).toBe(1);
    await checkScreen(page, 'track-holder', { rules: RULES });
    // A phone number needs the explicit consent: the page says so before anything is sent.
    await page.getByTestId('phone').fill('0812 3456 7890');
    await page.getByTestId('save-notify').click();
    await page.getByText('Centang persetujuan untuk memakai nomor HP.').waitFor(WAIT);
    await page.getByLabel('Tidak usah').check();
    // This page's reminder at 5 people: saved through PUT …/notify (C4), shown as the server answered.
    await page.getByTestId('threshold').selectOption('5');
    await page.getByTestId('save-notify').click();
    await expect.poll(() => page.getByTestId('notify-status').count(), WAIT).toBe(1);
    expect(await text(page, 'notify-status')).toContain('Pengingat aktif: saat tinggal 5 orang.');
    await page.getByRole('button', { name: 'Hentikan pengingat' }).click();
    await expect.poll(() => page.getByTestId('notify-status').count(), WAIT).toBe(0);
    await page.evaluate(() => scrollTo(0, 0));
  });

  it('switches to English and back', async () => {
    await page.getByRole('button', { name: 'Ganti bahasa ke English' }).click();
    await expect.poll(() => text(page, 'ahead'), WAIT).toBe('1 person ahead of you');
    expect(await page.getByText('This service is FREE').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await checkScreen(page, 'track-english', { rules: RULES });
    await page.getByRole('button', { name: 'Switch language to Bahasa Indonesia' }).click();
    await expect.poll(() => text(page, 'ahead'), WAIT).toBe('1 orang di depan Anda');
  });

  it('says "Silakan ke Loket 1" full screen within 2 s of the call, with a chime and a vibration', async () => {
    const first = await counter('call-next');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    await expect.poll(() => text(page, 'ahead'), WAIT).toBe('Anda berikutnya');
    await counter('finish', { outcome: 'done' });
    const started = Date.now();
    const r = await counter('call-next');
    expect(r.body.ticket.number).toBe(mine.number);
    await page.getByTestId('called').waitFor({ timeout: 2_000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2_000);
    expect(await text(page, 'called-counter')).toBe('Loket 1');
    expect(await page.getByTestId('called').textContent()).toContain('Silakan ke');
    expect(await page.title()).toContain('Silakan ke Loket 1');
    const trace = await page.evaluate(() => (window as unknown as { __giliranTrack: { alertTrace: { chimes: number; vibrations: number } } }).__giliranTrack.alertTrace);
    expect(trace.chimes).toBeGreaterThanOrEqual(1);
    expect(trace.vibrations).toBeGreaterThanOrEqual(1);
    await checkScreen(page, 'track-called', { rules: { ...RULES, fitsHeight: true } });
  });

  it('shows serving, then done', async () => {
    await page.getByRole('button', { name: 'Baik, saya ke sana' }).click();
    expect(await text(page, 'state')).toContain('Silakan ke Loket 1');
    await counter('start');
    await expect.poll(() => text(page, 'state'), WAIT).toContain('Sedang dilayani di Loket 1');
    await checkScreen(page, 'track-serving', { rules: RULES });
    await counter('finish', { outcome: 'done' });
    await expect.poll(() => text(page, 'state'), WAIT).toContain('Selesai dilayani');
    expect(await page.getByTestId('cancel').count()).toBe(0);
    await checkScreen(page, 'track-done', { rules: RULES });
  });

  it('without the key: read-only, no controls, a line saying so', async () => {
    const other = await issue();
    const p = await openPhone(printedUrl(other, null));
    expect(await text(p, 'number')).toBe(other.number);
    await p.getByTestId('readonly').waitFor(WAIT);
    expect(await p.getByTestId('cancel').count()).toBe(0);
    expect(await p.getByTestId('notify').count()).toBe(0);
    await checkScreen(p, 'track-readonly', { rules: RULES });
    await p.context().close();
  });

  it('with a wrong key: a clear message and nothing of the ticket', async () => {
    const other = await issue();
    const p = await openPhone(printedUrl(other, 'AAAAAAAAAAA'));
    await expect.poll(() => text(p, 'refused'), WAIT).toContain('Pindai lagi kode QR');
    expect(await p.getByTestId('number').count()).toBe(0);
    await p.getByTestId('today').waitFor(WAIT); // the office's public hours and complaint channel
    await checkScreen(p, 'track-wrong-key', { rules: RULES });
    await p.getByRole('button', { name: 'Ganti bahasa ke English' }).click();
    await expect.poll(() => text(p, 'refused'), WAIT).toContain('Scan the QR code');
    await p.context().close();
  });

  it('cancels after a confirmation', async () => {
    const other = await issue();
    const p = await openPhone(printedUrl(other));
    await p.getByTestId('cancel').click();
    await p.getByTestId('cancel-dialog').waitFor(WAIT);
    expect(await p.getByTestId('cancel-dialog').textContent()).toContain(`Batalkan nomor ${other.number}?`);
    await checkScreen(p, 'track-cancel-dialog', { rules: RULES });
    await p.getByTestId('cancel-yes').click();
    await expect.poll(() => text(p, 'state'), WAIT).toContain('Nomor ini dibatalkan');
    expect(await p.getByTestId('cancel').count()).toBe(0);
    await checkScreen(p, 'track-cancelled', { rules: RULES });
    await p.context().close();
  });

  it('shows when it is offline and how old its figures are, and comes back by itself', async () => {
    const other = await issue();
    const p = await openPhone(printedUrl(other));
    await p.getByTestId('ahead').waitFor(WAIT);
    await p.context().setOffline(true);
    await expect.poll(() => text(p, 'offline'), WAIT).toBe('Tidak terhubung — data baru saja');
    await checkScreen(p, 'track-offline', { rules: RULES });
    await p.context().setOffline(false);
    await expect.poll(() => p.getByTestId('offline').count(), WAIT).toBe(0);
    await p.context().close();
  });

  it('reopens with no server at all through the service worker, with the last figures and their age', async () => {
    const other = await issue();
    const url = printedUrl(other);
    const p = await openPhone(url, SMALL);
    await p.getByTestId('ahead').waitFor(WAIT);
    await p.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    // The view was saved two minutes ago (the age the banner must show).
    await p.evaluate(() => {
      for (const k of Object.keys(localStorage)) {
        if (!k.startsWith('giliran.track.')) continue;
        const s = JSON.parse(localStorage.getItem(k)!) as { at: number };
        s.at -= 2 * 60_000 + 5_000;
        localStorage.setItem(k, JSON.stringify(s));
      }
    });
    await srv.close();
    serverUp = false;
    await p.reload();
    expect(await text(p, 'number')).toBe(other.number);
    await expect.poll(() => text(p, 'offline'), WAIT).toBe('Tidak terhubung — data 2 menit lalu');
    await checkScreen(p, 'track-offline-reopen-360x640', { rules: RULES });
    await p.context().close();
  });
});
