// Online booking end to end in real Chromium against a real server whose
// clock the test sets (createGiliran's `now`): at 390×844 a citizen books a
// KTP-el slot for tomorrow (pre-check, slot, NIK, code; a missing document
// ends in "Yang perlu Anda bawa"), changes its slot and cancels another from
// the manage link; the next morning (the server restarted on the same data at
// the slot's hour) the kiosk (1080×1920) refuses a cancelled booking's QR
// scanned by a keyboard-wedge scanner and takes the changed one typed on its keypad, and the counter's "call next" takes
// that ticket before two older walk-ins. axe on every screen; screenshots in
// test/artifacts/booking-*.png.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, checkScreen, copyOfDist, launchBrowser, type ScreenRules } from '../helpers/browser.ts';
import { DEMO_PASSWORD, request, startServer, type TestServer } from '../helpers/server.ts';

const PHONE = { width: 390, height: 844 };
const SMALL = { width: 360, height: 640 };
const PORTRAIT = { width: 1080, height: 1920 };
const LANDSCAPE = { width: 1920, height: 1080 };
const DESK = { width: 1366, height: 768 };
const PHONE_RULES: ScreenRules = { minText: 20, minTarget: 44, fitsWidth: true };
const SHOTS = '/tmp/shots-booking-ui';
const WAIT = { timeout: 20_000 };
/** Each step is a real browser against a real server on a busy two-core machine: 3× the usual minute and more. */
const LONG = 240_000;

/** Monday 7 December 2026, 10:00 WITA: tomorrow's slots are bookable. */
let clock = Date.parse('2026-12-07T10:00:00+08:00');
const now = () => new Date(clock);
let srv: TestServer;
let dataDir: string;
let dist: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  dist = await copyOfDist('book', 'kiosk', 'counter', 'admin');
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-booking-e2e-'));
  srv = await startServer({ dataDir, now, settings: { distDir: dist, ticketsPerDevicePerMinute: 10_000 } });
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await srv?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (dist) await rm(path.dirname(dist), { recursive: true, force: true });
});

async function open(url: string, viewport: { width: number; height: number }, who: string): Promise<Page> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${who}] page error:`, e.message));
  await page.goto(url);
  return page;
}

/** The screenshot and axe of what the page shows now, kept in test/artifacts and /tmp/shots-booking-ui. */
async function shot(page: Page, name: string, rules: ScreenRules = {}, viewports?: Record<string, { width: number; height: number }>): Promise<void> {
  await checkScreen(page, `booking-${name}`, { rules, ...(viewports ? { viewports } : {}) });
  for (const label of viewports ? Object.keys(viewports) : ['']) {
    const f = `booking-${name}${label ? `-${label}` : ''}.png`;
    await copyFile(artifact(f), path.join(SHOTS, f));
  }
}

const step = (page: Page) => page.getByTestId('step').getAttribute('data-step');
const yes = (page: Page, i: number) => page.locator('.item').nth(i).getByRole('button', { name: 'Ya', exact: true }).click();
const no = (page: Page, i: number) => page.locator('.item').nth(i).getByRole('button', { name: 'Tidak', exact: true }).click();

/** Books a KTP-el "Baru" slot on the phone page up to the confirmation; returns the code and the manage link. */
async function bookOnPhone(page: Page, nik: string, name: string, slot: string, shots = false): Promise<{ code: string; manage: string }> {
  await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
  await expect.poll(() => step(page), WAIT).toBe('subcase');
  if (shots) await shot(page, 'phone-1-subcase', PHONE_RULES);
  await page.getByRole('button', { name: /^Baru/ }).click();
  await expect.poll(() => step(page)).toBe('precheck');
  const items = await page.locator('.item').count();
  for (let i = 0; i < items; i++) await yes(page, i);
  if (shots) await shot(page, 'phone-2-precheck', PHONE_RULES);
  await page.getByRole('button', { name: 'Lanjut →' }).click();
  await expect.poll(() => step(page)).toBe('slot');
  await page.locator('.day[data-date="2026-12-08"]').click();
  await page.locator(`.slot[data-slot="${slot}"]`).waitFor(WAIT);
  if (shots) await shot(page, 'phone-3-slot', PHONE_RULES, { phone: PHONE, small: SMALL });
  await page.locator(`.slot[data-slot="${slot}"]`).click();
  await expect.poll(() => step(page)).toBe('person');
  await page.getByLabel(/^NIK/).fill('1234');
  await page.getByLabel('Nama panggilan').fill(name);
  await page.getByRole('button', { name: 'Buat booking' }).click();
  await expect.poll(() => page.locator('#nik-error').textContent()).toBeTruthy();
  if (shots) await shot(page, 'phone-4-nik-error', PHONE_RULES);
  await page.getByLabel(/^NIK/).fill(nik);
  if (shots) {
    // The line drops at the last step: the page says so, keeps every field, and books once it is back.
    await page.context().setOffline(true);
    await page.getByRole('button', { name: 'Buat booking' }).click();
    await page.getByTestId('offline').waitFor(WAIT);
    await shot(page, 'phone-4b-offline', PHONE_RULES);
    expect(await page.getByLabel(/^NIK/).inputValue()).toBe(nik);
    await page.context().setOffline(false);
    await page.getByTestId('offline').waitFor({ state: 'detached', ...WAIT });
  }
  await page.getByRole('button', { name: 'Buat booking' }).click();
  const code = page.getByTestId('booking-code');
  await code.waitFor(WAIT);
  if (shots) await shot(page, 'phone-5-done', PHONE_RULES, { phone: PHONE, small: SMALL });
  return { code: (await code.getAttribute('data-code'))!, manage: (await page.getByTestId('manage-link').getAttribute('href'))! };
}

describe('online booking, check-in and call order', () => {
  let changed = '';
  let cancelled = '';

  it('at 390×844: a missing document ends in "Yang perlu Anda bawa", and a KTP-el booking gives a code, QR, .ics and manage link', { timeout: LONG }, async () => {
    const page = await open(`${srv.url}/book/?office=kupang`, PHONE, 'phone');
    await page.getByRole('heading', { name: 'Pilih layanan' }).waitFor(WAIT);
    await shot(page, 'phone-0-services', PHONE_RULES, { phone: PHONE, small: SMALL });

    // "Hilang" without the police letter: no booking, the list of what to bring.
    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Hilang/ }).click();
    const items = await page.locator('.item').count();
    for (let i = 0; i < items - 1; i++) await yes(page, i);
    await no(page, items - 1);
    await page.getByRole('button', { name: 'Lanjut →' }).click();
    await page.getByRole('heading', { name: 'Yang perlu Anda bawa' }).waitFor();
    expect(await page.getByTestId('bring-list').textContent()).toMatch(/kepolisian/i);
    await shot(page, 'phone-2b-bring', PHONE_RULES);
    await page.getByRole('button', { name: 'Ubah jawaban' }).click();
    await expect.poll(() => step(page)).toBe('precheck');
    await page.getByRole('button', { name: '← Kembali' }).click();

    // A reload in the middle loses nothing.
    await page.getByRole('button', { name: /^Baru/ }).waitFor();
    await page.reload();
    await expect.poll(() => step(page), WAIT).toBe('subcase');
    await page.getByRole('button', { name: '← Kembali' }).click();

    const first = await bookOnPhone(page, '5371014501900001', 'Maria', '08:00', true);
    expect(first.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
    expect(await page.getByTestId('when').textContent()).toContain('8 Desember 2026');
    expect(await page.locator('main').textContent()).toContain('GRATIS');
    const ics = await request(srv.url, 'GET', (await page.getByTestId('ics').getAttribute('href'))!);
    expect(ics.status).toBe(200);
    // After the confirmation the typed data is gone from the phone.
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain('5371014501900001');

    // Manage: change the slot to 09:00 (a new code), English once.
    await page.goto(new URL(first.manage, srv.url).href);
    await expect.poll(() => page.getByTestId('status').getAttribute('data-status'), WAIT).toBe('confirmed');
    await shot(page, 'phone-6-manage', PHONE_RULES);
    await page.getByRole('button', { name: 'Ganti jam' }).click();
    await page.locator('.day[data-date="2026-12-08"]').click();
    await page.locator('.slot[data-slot="09:00"]').click();
    await page.getByText('Jam booking sudah diganti.').waitFor(WAIT);
    changed = (await page.getByTestId('booking-code').textContent())!.replace(/\s/g, '');
    expect(changed).not.toBe(first.code);
    expect(await page.getByTestId('when').textContent()).toContain('09.00');
    await page.getByRole('button', { name: 'English' }).click();
    await shot(page, 'phone-7-changed-en', PHONE_RULES);
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();

    // A second booking (another NIK) cancelled with a confirmation.
    const page2 = await open(`${srv.url}/book/?office=kupang`, PHONE, 'phone2');
    await page2.getByRole('heading', { name: 'Pilih layanan' }).waitFor(WAIT);
    const second = await bookOnPhone(page2, '5371015006850002', 'Yohanes', '08:30');
    cancelled = second.code;
    await page2.goto(new URL(second.manage, srv.url).href);
    await page2.getByRole('button', { name: 'Batalkan booking' }).click();
    await page2.getByRole('button', { name: 'Ya, batalkan' }).waitFor();
    await shot(page2, 'phone-8-cancel-ask', PHONE_RULES);
    await page2.getByRole('button', { name: 'Ya, batalkan' }).click();
    await expect.poll(() => page2.getByTestId('status').getAttribute('data-status'), WAIT).toBe('cancelled');
    // A forged manage link shows only a message.
    await page2.goto(`${srv.url}/book/?office=kupang&code=${second.code}&k=AAAAAAAAAAAAAAAA`);
    await page2.getByTestId('error').waitFor(WAIT);
    await shot(page2, 'phone-9-forged', PHONE_RULES);
  });

  it('the next morning the kiosk refuses a cancelled code, checks the changed one in from its keypad, and "call next" takes it before older walk-ins', { timeout: LONG }, async () => {
    expect(changed).not.toBe('');
    // The office box starts the day: the same data, the clock at 08:40 on the booking's day.
    await srv.close();
    clock = Date.parse('2026-12-08T08:40:00+08:00');
    srv = await startServer({ dataDir, now, settings: { distDir: dist, ticketsPerDevicePerMinute: 10_000 } });
    // Two walk-ins, older than the booked ticket.
    for (let i = 0; i < 2; i++) expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'ktp-el' } })).status).toBe(201);

    const kiosk = await open(`${srv.url}/kiosk/?office=kupang`, PORTRAIT, 'kiosk');
    await kiosk.getByRole('button', { name: 'Saya sudah booking' }).waitFor(WAIT);
    await expect.poll(() => kiosk.getByRole('button', { name: 'Saya sudah booking' }).isEnabled(), WAIT).toBe(true);
    await shot(kiosk, 'kiosk-0-start', {}, { portrait: PORTRAIT, landscape: LANDSCAPE });
    // The cancelled booking's QR, scanned with a keyboard-wedge scanner on the start screen:
    // a clear message and the walk-in path.
    // A wedge scanner types the whole payload within milliseconds (Playwright's typing can be slower
    // on a busy machine, which the page rightly takes for a person): the key events in one go.
    await kiosk.evaluate((text) => {
      for (const key of [...text, 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    }, `GB:kupang:${cancelled}`);
    const refusedBox = kiosk.getByTestId('checkin-refused');
    await refusedBox.waitFor(WAIT);
    expect(await refusedBox.getAttribute('data-code')).toBe('booking_not_active');
    await shot(kiosk, 'kiosk-2-refused', {}, { portrait: PORTRAIT, landscape: LANDSCAPE });
    await kiosk.getByRole('button', { name: 'Ambil nomor antrean biasa' }).click();
    await kiosk.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor();

    await kiosk.getByRole('button', { name: 'Saya sudah booking' }).click();
    await kiosk.getByTestId('checkin').waitFor();
    await shot(kiosk, 'kiosk-1-keypad', {}, { portrait: PORTRAIT, landscape: LANDSCAPE });

    // The changed booking (09:00, window from 08:30): typed on the keypad.
    for (const ch of changed) await kiosk.locator('.keypad .key', { hasText: new RegExp(`^${ch}$`) }).click();
    expect((await kiosk.getByTestId('code-display').textContent())!.replace(/\s/g, '')).toBe(changed);
    await kiosk.getByRole('button', { name: 'Check-in' }).click();
    const number = kiosk.getByTestId('ticket-number');
    await number.waitFor(WAIT);
    const booked = (await number.textContent())!.trim();
    expect(await kiosk.getByTestId('booked').textContent()).toContain('Booking · 09.00');
    await shot(kiosk, 'kiosk-3-ticket', {}, { portrait: PORTRAIT, landscape: LANDSCAPE });

    // The slot has come: the counter's "call next" takes the booked ticket first.
    clock = Date.parse('2026-12-08T09:01:00+08:00');
    const counter = await open(`${srv.url}/counter/?office=kupang`, DESK, 'counter');
    await counter.getByLabel('Nama pengguna').fill('petugas1');
    await counter.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await counter.getByRole('button', { name: 'Masuk' }).click();
    await expect.poll(() => counter.getByTestId('connection').textContent(), WAIT).toBe('Tersambung');
    await counter.getByLabel('Loket', { exact: true }).selectOption('1');
    await expect.poll(() => counter.locator('[data-actions] button[data-action="call_next"]').isEnabled(), WAIT).toBe(true);
    await counter.locator('[data-actions] button[data-action="call_next"]').click();
    await expect.poll(() => counter.getByTestId('held').textContent(), WAIT).toBe(booked);
    await shot(counter, 'counter-called-booking');
  });

  it('a clerk books for a citizen at the counter and a supervisor sees the day per slot, blocks and unblocks a slot', { timeout: LONG }, async () => {
    const counter = await open(`${srv.url}/counter/?office=kupang`, DESK, 'clerk');
    await counter.getByLabel('Nama pengguna').fill('petugas1');
    await counter.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await counter.getByRole('button', { name: 'Masuk' }).click();
    await counter.getByTestId('book-for-citizen').click();
    await counter.getByLabel(/NIK warga/).waitFor(WAIT);
    await counter.getByLabel(/NIK warga/).fill('5371016512400003');
    await counter.getByLabel('Nama panggilan').fill('Oma Dorkas');
    await expect.poll(() => counter.locator('#bk-slot').inputValue(), WAIT).not.toBe('');
    await shot(counter, 'counter-book-form');
    await counter.getByRole('button', { name: 'Buat booking' }).click();
    await counter.getByTestId('staff-booking-code').waitFor(WAIT);
    const code = (await counter.getByTestId('staff-booking-code').textContent())!.trim();
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
    await shot(counter, 'counter-book-done');

    const admin = await open(`${srv.url}/admin/?office=kupang#bookings`, DESK, 'supervisor');
    await admin.getByLabel('Nama pengguna').fill('supervisor');
    await admin.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await admin.getByRole('button', { name: 'Masuk' }).click();
    await admin.getByRole('heading', { name: 'Booking per slot' }).waitFor(WAIT);
    await admin.getByLabel('Tanggal').fill('2026-12-08');
    await admin.getByRole('button', { name: 'Tampilkan' }).click();
    const row = admin.locator('tr[data-slot="09:00"][data-service="ktp-el"]');
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('Sudah check-in');
    await shot(admin, 'admin-bookings');
    const later = admin.locator('tr[data-slot="14:00"][data-service="ktp-el"]');
    await later.getByRole('button', { name: /Tutup slot/ }).click();
    await expect.poll(() => later.textContent(), WAIT).toContain('Ditutup');
    await later.getByRole('button', { name: /Buka slot/ }).click();
    await expect.poll(() => later.textContent(), WAIT).not.toContain('Ditutup');
  });
});
