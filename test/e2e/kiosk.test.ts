// The citizen's kiosk in real Chromium, driven by what is visible on screen:
// a walk-in ticket in few taps, a pre-check ending in "what to bring", the
// NIK age check, priority, idle reset, a double tap, a lost answer retried,
// printing outcomes, closed and full services, a booking scan and pairing.
// Every screen is checked with axe-core and for size rules, and saved as a
// screenshot in both orientations (test/artifacts/kiosk-*.png).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { waitRange } from '../../protocol/format.ts';
import { holderKey } from '../../server/auth/holder-key.ts';
import { artifact, checkScreen as checkScreenAt, copyOfDist, launchBrowser, painted, type ScreenRules } from '../helpers/browser.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const PORTRAIT = { width: 1080, height: 1920 };
const LANDSCAPE = { width: 1920, height: 1080 };

let srv: TestServer;
let browser: Browser;
let distDir: string;
const contexts: BrowserContext[] = [];


beforeAll(async () => {
  distDir = await copyOfDist('kiosk');
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000, distDir } });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await srv?.close();
  await rm(path.dirname(distDir), { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Helpers

async function openKiosk(office = 'kupang', viewport = PORTRAIT): Promise<Page> {
  // bypassCSP: axe-core is injected as an inline script; the page itself runs under the server's CSP otherwise.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${srv.url}/kiosk/?office=${office}`);
  await ready(page);
  return page;
}

/** The start screen is up, connected, with its tiles. */
async function ready(page: Page): Promise<void> {
  try {
    await page.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole('button', { name: /Informasi & Pengaduan/ }).isEnabled(), { timeout: 15_000 }).toBe(true);
  } catch (err) {
    await page.screenshot({ path: artifact('kiosk-failure-not-ready.png') });
    throw err;
  }
}

let staffCookie: string | null = null;
/** The office's queue as staff see it: only staff get what a citizen answered at the pre-check. */
async function snapshot(office = 'kupang'): Promise<QueueSnapshot> {
  staffCookie ??= await login(srv.url, 'admin');
  const res = await request<QueueSnapshot>(srv.url, 'GET', `/api/v1/offices/${office}/queue`, { cookie: staffCookie });
  expect(res.status).toBe(200);
  return res.body;
}

async function ticketsOf(service: string, office = 'kupang'): Promise<Ticket[]> {
  return (await snapshot(office)).tickets.filter((t) => t.serviceId === service);
}

async function shownNumber(page: Page): Promise<string> {
  const number = page.getByTestId('ticket-number');
  await number.waitFor({ timeout: 15_000 });
  return (await number.textContent())?.trim() ?? '';
}

/** Taps a button by its visible name, counting the taps a citizen makes. */
function tapper(page: Page) {
  const tap = async (name: string | RegExp) => {
    tap.count += 1;
    await page.getByRole('button', { name }).first().click();
  };
  tap.count = 0;
  return tap;
}

/** Answers the pre-check rows: the row whose text matches gets "Ya" or "Tidak". */
async function answer(page: Page, rowText: string | RegExp, yes: boolean): Promise<void> {
  const row = page.getByRole('listitem').filter({ hasText: rowText });
  await row.getByRole('button', { name: yes ? 'Ya' : 'Tidak', exact: true }).click();
}

async function typeNik(page: Page, digits: string): Promise<void> {
  const keypad = page.getByRole('group', { name: 'Papan angka' });
  for (const d of digits) await keypad.getByRole('button', { name: d, exact: true }).click();
}

/** Size rules of the issue: targets ≥ 64 px, text ≥ 24 px, nothing wider than the screen or clipped; optionally no scrolling. */
const KIOSK_RULES: ScreenRules = { minTarget: 64, minText: 24, fitsWidth: true, unclipped: '.tile, .btn, .item, .dialog' };

/** Checks the screen in both orientations (axe with AAA contrast, size rules) and saves both screenshots. */
async function checkScreen(page: Page, name: string, opts: { noScroll?: boolean } = {}): Promise<void> {
  const rules = { ...KIOSK_RULES, ...((opts.noScroll ?? true) ? { noScroll: 'main.screen' } : {}) };
  await checkScreenAt(page, `kiosk-${name}`, { rules, axe: { enhancedContrast: true }, viewports: { portrait: PORTRAIT, landscape: LANDSCAPE } });
}

function nikBornYearsAgo(years: number, day = '15', month = '06'): string {
  const yy = String((new Date().getFullYear() - years) % 100).padStart(2, '0');
  return `537101${day}${month}${yy}0001`;
}

// ---------------------------------------------------------------------------

describe('kiosk', () => {
  it('gives a walk-in ticket for a service without sub-cases in at most 3 taps', async () => {
    const page = await openKiosk();
    const before = (await ticketsOf('informasi')).length;
    const tap = tapper(page);
    await tap(/Informasi & Pengaduan/);
    await page.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor();
    await tap(/^Tidak/);
    const number = await shownNumber(page);
    expect(tap.count).toBeLessThanOrEqual(3);
    expect(number).toMatch(/^G\d{3}$/);

    const issued = await ticketsOf('informasi');
    expect(issued).toHaveLength(before + 1);
    const t = issued.find((x) => x.number === number)!;
    expect(t).toMatchObject({ source: 'kiosk', priority: null, state: 'waiting' });

    await page.getByText('Layanan ini GRATIS').first().waitFor();
    await page.getByText('Anda akan dipanggil ke: Loket 4').waitFor();
    await page.getByText(/Perkiraan waktu tunggu/).waitFor();
    await page.getByTestId('ahead').waitFor();
    // The QR code is an image drawn by the server, of the stable tracking address.
    const qr = page.getByRole('img', { name: /Kode QR untuk memantau/ });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const src = new URL((await qr.getAttribute('src'))!, srv.url);
    expect(src.searchParams.get('data')).toBe(`${srv.url}/t/kupang/${t.officeDay}/${number}?k=${holderKey(srv.giliran.secrets.holderKey, 'kupang', t.id)}`);

    await page.getByRole('button', { name: 'Selesai' }).click();
    await ready(page);
  });

  it('shows on the ticket the wait range promised at issue, in the phone\'s words, with the people ahead', async () => {
    // A queue ahead, so the range is not "less than a minute".
    const staff = await login(srv.url, 'admin');
    for (let i = 0; i < 6; i++) {
      const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'informasi' }, cookie: staff });
      expect(r.status).toBe(201);
    }
    const page = await openKiosk();
    const tap = tapper(page);
    await tap(/Informasi & Pengaduan/);
    await page.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor();
    await tap(/^Tidak/);
    const number = await shownNumber(page);
    const t = (await ticketsOf('informasi')).find((x) => x.number === number)!;
    expect(t.waitAtIssue).not.toBeNull();
    expect(t.waitAtIssue!.high).toBeGreaterThan(1);
    await expect.poll(() => page.getByTestId('wait').textContent()).toBe(`Perkiraan waktu tunggu: ${waitRange(t.waitAtIssue!, 'id')}`);
    // Minutes ("sekitar 52–72 menit"), or hours and minutes on a long queue; never "0 jam".
    expect(await page.getByTestId('wait').textContent()).toMatch(/: sekitar [1-9]\d*(–[1-9]\d*)? (menit|jam)/);
    expect(await page.getByTestId('wait').textContent()).not.toMatch(/\b0 jam/);
    expect(await page.getByTestId('ahead').textContent()).toBe(`Di depan Anda: ${t.aheadAtIssue} orang`);
    await checkScreen(page, 'ticket-range', { noScroll: false });
  });

  it('ends a pre-check with a missing document in "what to bring", records it, and issues no ticket', async () => {
    const page = await openKiosk();
    const before = (await ticketsOf('ktp-el')).length;
    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Hilang/ }).click();
    await page.getByRole('heading', { name: 'Periksa dokumen Anda' }).waitFor();
    // Continuing with an unanswered line asks for it.
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByText('Masih ada 1 baris yang belum dijawab').waitFor();
    await answer(page, 'Surat keterangan kehilangan dari kepolisian', false);
    await page.getByRole('button', { name: /Lanjut/ }).click();

    await page.getByRole('heading', { name: 'Yang perlu Anda bawa' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Surat keterangan kehilangan dari kepolisian' }).waitFor();
    expect(await page.getByRole('listitem').filter({ hasText: 'Kartu Keluarga (KK)' }).count()).toBe(0);
    const qr = page.getByRole('img', { name: /daftar dokumen/ });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const data = new URL((await qr.getAttribute('src'))!, srv.url).searchParams.get('data') ?? '';
    expect(data).toContain('- Surat keterangan kehilangan dari kepolisian');
    expect(data).not.toContain('Kartu Keluarga');
    expect(await page.getByTestId('ticket-number').count()).toBe(0);
    expect(await ticketsOf('ktp-el')).toHaveLength(before);

    // The failed pre-check is on record (anonymous), for reports.
    const cookie = await login(srv.url, 'supervisor');
    await expect
      .poll(async () => {
        const audit = await request(srv.url, 'GET', '/api/v1/offices/kupang/audit', { cookie });
        return (audit.body.entries as Array<{ action: string }>).filter((e) => e.action === 'precheck_failed').length;
      })
      .toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Selesai' }).click();
    await ready(page);
  });

  it('takes a passed pre-check, an adult NIK and a priority group into the ticket, and never sends the NIK', async () => {
    const page = await openKiosk();
    const nik = nikBornYearsAgo(30);
    const sent: string[] = [];
    page.on('request', (r) => sent.push(`${r.url()} ${r.postData() ?? ''}`));
    page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));

    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Baru/ }).click();
    await answer(page, /Bukti berusia 17 tahun/, true);
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: /Periksa usia dengan NIK/ }).waitFor();
    await typeNik(page, nik);
    expect((await page.getByTestId('nik-display').textContent())?.replace(/\s/g, '')).toBe(nik);
    await page.getByRole('button', { name: 'Periksa NIK' }).click();
    await page.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor();
    await page.getByRole('button', { name: /Lanjut usia/ }).click();
    const number = await shownNumber(page);
    expect(number).toMatch(/^A\d{3}$/);
    await page.getByText('Prioritas: Lanjut usia (60 tahun ke atas)').waitFor();

    const t = (await ticketsOf('ktp-el')).find((x) => x.number === number)!;
    expect(t.priority).toBe('elderly');
    expect(t.precheck).toEqual({ subcase: 'baru', passed: true, missing: [] });
    expect(sent.join('\n')).not.toContain(nik);
    expect(sent.join('\n')).not.toContain(nik.slice(6, 12) + nik.slice(12));
  });

  it('explains each kind of NIK mistake, and lets the citizen skip the NIK', async () => {
    const page = await openKiosk();
    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Baru/ }).click();
    await answer(page, /Bukti berusia 17 tahun/, true);
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: /Periksa usia dengan NIK/ }).waitFor();

    const check = async (digits: string, message: string) => {
      await page.getByRole('button', { name: 'Kosongkan' }).click();
      await typeNik(page, digits);
      await page.getByRole('button', { name: 'Periksa NIK' }).click();
      await page.getByRole('alert').filter({ hasText: message }).waitFor();
    };
    await page.getByRole('button', { name: 'Periksa NIK' }).click();
    await page.getByRole('alert').filter({ hasText: 'Silakan isi NIK Anda' }).waitFor();
    await check('537101150690', 'NIK terdiri atas 16 digit');
    await check('9971011506900001', 'Kode provinsi pada NIK (digit 1–2) tidak dikenal');
    await check('5371013506900001', 'Tanggal lahir pada NIK (digit 7–8) tidak valid');
    await check('5371011513900001', 'Bulan lahir pada NIK (digit 9–10) tidak valid');
    await check('5371013102900001', 'tidak ada di kalender');
    await check('5371011506900000', 'Nomor urut pada NIK (digit 13–16) tidak boleh 0000');
    await page.getByTestId('nik-display').waitFor();
    await checkScreen(page, 'nik-error');

    // The keypad takes no more than 16 digits; "Hapus" removes the last.
    await page.getByRole('button', { name: 'Kosongkan' }).click();
    await typeNik(page, '53710115069000012');
    expect((await page.getByTestId('nik-display').textContent())?.replace(/\s/g, '')).toBe('5371011506900001');
    await page.getByRole('button', { name: 'Hapus angka terakhir' }).click();
    expect((await page.getByTestId('nik-display').textContent())?.replace(/\s/g, '')).toBe('537101150690000·');

    await page.getByRole('button', { name: /Lewati — biar petugas yang memutuskan/ }).click();
    await page.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor();
  });

  it('tells a citizen too young for a first KTP-el so, suggests the KIA, and lets staff decide if they insist', async () => {
    const page = await openKiosk();
    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Baru/ }).click();
    await answer(page, /Bukti berusia 17 tahun/, true);
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await typeNik(page, nikBornYearsAgo(14));
    await page.getByRole('button', { name: 'Periksa NIK' }).click();
    await page.getByRole('heading', { name: 'Usia tidak sesuai' }).waitFor();
    await page.getByText(/Menurut NIK, usianya 1[34] tahun\./).waitFor();
    await page.getByText(/untuk usia 17 tahun ke atas/).waitFor();
    await page.getByRole('button', { name: /Kartu Identitas Anak \(KIA\) — Anak usia 5 sampai di bawah 17 tahun/ }).waitFor();
    await checkScreen(page, 'age');

    const before = (await ticketsOf('ktp-el')).length;
    await page.getByRole('button', { name: /Tetap ambil nomor — biar petugas yang memutuskan/ }).click();
    await page.getByRole('button', { name: /^Tidak/ }).click();
    expect(await shownNumber(page)).toMatch(/^A\d{3}$/);
    expect(await ticketsOf('ktp-el')).toHaveLength(before + 1);
  });

  it('gives one ticket for a double tap', async () => {
    const page = await openKiosk();
    const before = (await ticketsOf('informasi')).length;
    await page.getByRole('button', { name: /Informasi & Pengaduan/ }).click();
    const no = page.getByRole('button', { name: /^Tidak/ });
    await no.waitFor();
    // Two taps within the same instant, as an impatient finger does.
    await no.evaluate((b: HTMLButtonElement) => {
      b.click();
      b.click();
    });
    await shownNumber(page);
    // Nothing more happens: a second issue would be sent with the taps and reach the server (in
    // this process) within milliseconds; no event marks that it was not sent, so wait a bounded 500 ms.
    await page.waitForTimeout(500);
    expect(await ticketsOf('informasi')).toHaveLength(before + 1);
  });

  it('retries a request whose answer was lost with the same key: one ticket, the one the server issued', async () => {
    const page = await openKiosk();
    let dropped = false;
    // Let the issue reach the server, lose its answer, and drop the connection.
    await page.routeWebSocket(/socket\.io/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (!dropped && typeof m === 'string' && /^43\/kiosk,\d+\[\{"ok":true,"data":\{"ticket"/.test(m)) {
          dropped = true;
          void ws.close();
          return;
        }
        ws.send(m);
      });
    });
    await page.reload();
    await ready(page);
    const before = (await ticketsOf('informasi')).length;
    await page.getByRole('button', { name: /Informasi & Pengaduan/ }).click();
    await page.getByRole('button', { name: /^Tidak/ }).click();
    await page.getByRole('heading', { name: 'Nomor antrean tidak dapat diambil' }).waitFor({ timeout: 15_000 });
    expect(dropped).toBe(true);
    expect(await page.getByTestId('ticket-number').count()).toBe(0);
    const onServer = await ticketsOf('informasi');
    expect(onServer).toHaveLength(before + 1);
    const retry = page.getByRole('button', { name: 'Coba lagi' });
    await expect.poll(() => retry.isEnabled(), { timeout: 15_000 }).toBe(true);
    await checkScreen(page, 'no-answer');
    await retry.click();
    const number = await shownNumber(page);
    expect(await ticketsOf('informasi')).toHaveLength(before + 1);
    expect(onServer.map((t) => t.number)).toContain(number);
  });

  it('says when the ticket could not be printed, keeps it longer and offers the QR; prints a "what to bring" slip', async () => {
    const page = await openKiosk();
    // The test plays the printer: the server's own printing news is dropped, ours is sent instead.
    let kiosk: { send(m: string): void } | null = null;
    let upgraded = false;
    await page.routeWebSocket(/socket\.io/, (ws) => {
      const server = ws.connectToServer();
      kiosk = ws;
      ws.onMessage((m) => {
        if (m === '5') upgraded = true;
        const slip = typeof m === 'string' ? /^42\/kiosk,(\d+)\["print_slip"/.exec(m) : null;
        if (slip) return ws.send(`43/kiosk,${slip[1]}[{"ok":true,"data":{"jobId":"j1","ticketId":null,"state":"printed","printer":null}}]`);
        server.send(m);
      });
      server.onMessage((m) => {
        // Pages connect WebSocket-first (ui/queue-client.ts): the namespace's connect packet on this socket
        // means it carries the kiosk's events (with polling first, the upgrade '5' above says so).
        if (typeof m === 'string' && m.startsWith('40/kiosk')) upgraded = true;
        if (typeof m === 'string' && /^42\/kiosk,\["(print_result|printer_status)"/.test(m)) return;
        ws.send(m);
      });
    });
    await page.reload();
    await ready(page);
    // Messages sent before socket.io has moved onto the WebSocket would be lost.
    await expect.poll(() => upgraded, { timeout: 15_000 }).toBe(true);
    const send = (event: string, data: unknown) => kiosk!.send(`42/kiosk,${JSON.stringify([event, data])}`);
    const printer = { printerId: 'kiosk-1', state: 'ok', message: { id: 'Siap', en: 'Ready' }, at: new Date().toISOString() };
    send('printer_status', printer);

    await page.getByRole('button', { name: /Informasi & Pengaduan/ }).click();
    await page.getByRole('button', { name: /^Tidak/ }).click();
    const number = await shownNumber(page);
    const ticket = (await ticketsOf('informasi')).find((t) => t.number === number)!;
    send('print_result', { jobId: 'j2', ticketId: ticket.id, state: 'failed', printer: { ...printer, state: 'paper_out', message: { id: 'Kertas habis', en: 'Paper out' } } });
    await page.getByRole('alert').filter({ hasText: 'Struk tidak dapat dicetak' }).waitFor();
    await page.getByRole('img', { name: /Kode QR untuk memantau/ }).waitFor();
    await checkScreen(page, 'ticket-print-failed');
    await page.getByRole('button', { name: 'Selesai' }).click();

    send('printer_status', printer);
    await page.getByRole('button', { name: /Kartu Keluarga \(KK\)/ }).click();
    await page.getByRole('button', { name: /Tambah anggota/ }).click();
    await answer(page, 'KK lama', true);
    await answer(page, 'Akta kelahiran', false);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('button', { name: 'Cetak daftar ini' }).click();
    await page.getByText('Daftar sudah dicetak').waitFor();
  });

  it('shows a scanned booking code as not found', async () => {
    const page = await openKiosk();
    // A keyboard-wedge scanner types a whole code within milliseconds and ends with Enter
    // (typed in the page itself: keys sent one by one from the test can lag on a busy machine).
    await page.evaluate(() => {
      for (const key of [...'BOOK-ABC123', 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    });
    await page.getByRole('alertdialog', { name: 'Kode pemesanan tidak ditemukan' }).waitFor();
    await checkScreen(page, 'scan-not-found');
    await page.getByRole('button', { name: 'Tutup' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    // Typed slowly, as a person would, it is no scan.
    await page.keyboard.type('1234', { delay: 120 });
    await page.keyboard.press('Enter');
    // The scanner decides on the Enter itself, with no timer: a dialog would be painted in the next frame.
    await painted(page);
    expect(await page.getByRole('alertdialog').count()).toBe(0);
  });

  it('shows closed and full services with the reason and the next day, live, and never offers them', async () => {
    const office = 'padang-panjang';
    await srv.giliran.store.config.update((d) => {
      const o = d.offices.find((x) => x.id === office)!;
      o.services.find((s) => s.id === 'perubahan-data')!.quota.walkIn = 1;
    });
    const page = await openKiosk(office);
    const cookie = await login(srv.url, 'admin');
    const closed = await request(srv.url, 'POST', `/api/v1/offices/${office}/services/kk/close`, { cookie, body: { reason: 'Blangko KK habis' } });
    expect(closed.status).toBe(200);
    await page.getByTestId('unavailable-kk').waitFor();
    await page.getByTestId('unavailable-kk').getByText('Layanan ini ditutup untuk hari ini. Buka lagi').waitFor();
    await page.getByText('Keterangan petugas: Blangko KK habis').waitFor();

    const issued = await request(srv.url, 'POST', `/api/v1/offices/${office}/tickets`, { cookie, body: { service: 'perubahan-data' } });
    expect(issued.status).toBe(201);
    // A counter-issued ticket counts against the walk-in quota too.
    await page.getByTestId('unavailable-perubahan-data').getByText(/Kuota hari ini sudah penuh\. Kuota tersedia lagi/).waitFor();
    expect(await page.getByRole('button', { name: /Kartu Keluarga/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Perubahan Elemen Data/ }).count()).toBe(0);
    await checkScreen(page, 'start-closed-full');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText(/Today's places are all taken\. Places are free again/).waitFor();
    expect(await page.getByText('Keterangan petugas').count()).toBe(0);
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();

    const reopened = await request(srv.url, 'POST', `/api/v1/offices/${office}/services/kk/reopen`, { cookie, body: {} });
    expect(reopened.status).toBe(200);
    await page.getByRole('button', { name: /Kartu Keluarga/ }).waitFor();
  });

  it('goes back to the start after the idle time, forgetting everything (the NIK first) and the language', async () => {
    const office = 'padang-panjang';
    await srv.giliran.store.config.update((d) => {
      d.offices.find((x) => x.id === office)!.kiosk.idleSeconds = 10;
    });
    const page = await openKiosk(office);
    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Baru/ }).click();
    await answer(page, /Bukti berusia 17 tahun/, true);
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await typeNik(page, '53710115');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('alertdialog', { name: 'Are you still there?' }).waitFor({ timeout: 10_000 });
    await checkScreen(page, 'idle-warning');
    await page.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('button', { name: 'English' }).count()).toBe(1);

    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('button', { name: /^Baru/ }).click();
    // The answers are gone too.
    expect(await page.locator('[aria-pressed="true"]').count()).toBe(0);
    await answer(page, /Bukti berusia 17 tahun/, true);
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    expect((await page.getByTestId('nik-display').textContent())?.replace(/[\s·]/g, '')).toBe('');

    // "Ya, lanjutkan" keeps the citizen where they are.
    await page.getByRole('alertdialog').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Ya, lanjutkan' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    await page.getByRole('heading', { name: /Periksa usia dengan NIK/ }).waitFor();
  });

  it('has every screen readable, large enough and accessible, in both orientations and in English', async () => {
    const page = await openKiosk();
    await checkScreen(page, 'start');

    await page.getByRole('button', { name: /Perekaman & Pencetakan KTP-el/ }).click();
    await page.getByRole('heading', { name: 'Apa keperluan Anda?' }).waitFor();
    await checkScreen(page, 'subcase');

    await page.getByRole('button', { name: /^Baru/ }).click();
    await answer(page, /Bukti berusia 17 tahun/, true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByText('Masih ada 1 baris').waitFor();
    await checkScreen(page, 'precheck');
    await answer(page, 'Kartu Keluarga (KK)', false);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: 'Yang perlu Anda bawa' }).waitFor();
    await checkScreen(page, 'bring');
    await page.getByRole('button', { name: /Ubah jawaban/ }).click();
    await answer(page, 'Kartu Keluarga (KK)', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await typeNik(page, '5371014107');
    await checkScreen(page, 'nik');
    await page.getByRole('button', { name: /Lewati/ }).click();
    await page.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor();
    await checkScreen(page, 'priority');
    await page.getByRole('button', { name: /Ibu hamil/ }).click();
    await shownNumber(page);
    await checkScreen(page, 'ticket');
    await page.getByRole('button', { name: 'Selesai' }).click();

    // English, the longest texts: the akta checklist.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Take a queue number' }).waitFor();
    await checkScreen(page, 'start-en');
    await page.getByRole('button', { name: /Birth \/ death certificate/ }).click();
    await page.getByRole('button', { name: /^Birth certificate/ }).click();
    await page.getByRole('heading', { name: 'Check your documents' }).waitFor();
    await checkScreen(page, 'precheck-en');
    // "No" on every line; an item with alternatives says "Neither of them".
    for (const row of await page.getByRole('listitem').all()) await row.getByRole('button', { name: /^(No|Neither of them)$/ }).click();
    await page.getByRole('button', { name: /Continue/ }).click();
    await page.getByRole('heading', { name: 'What you need to bring' }).waitFor();
    await checkScreen(page, 'bring-en');
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await page.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor();

    // KIA asks for the child's NIK.
    await page.getByRole('button', { name: /Kartu Identitas Anak/ }).click();
    await page.getByRole('button', { name: /Anak di bawah 5 tahun/ }).click();
    for (const row of await page.getByRole('listitem').all()) await row.getByRole('button', { name: 'Ya', exact: true }).click();
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: /NIK anak/ }).waitFor();
    await page.getByRole('button', { name: 'Batal, ke awal' }).click();
    await ready(page);
  });
});

describe('kiosk pairing', () => {
  let unpaired: TestServer;
  beforeAll(async () => {
    unpaired = await startServer({ settings: { trustLoopbackDevices: false, distDir } });
  });
  afterAll(async () => unpaired?.close());

  it('shows a pairing code when not on the server machine, and works once an admin approves it', async () => {
    const context = await browser.newContext({ viewport: PORTRAIT, bypassCSP: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${unpaired.url}/kiosk/?office=kupang`);
    await page.getByRole('heading', { name: 'Kios ini belum dipasangkan' }).waitFor({ timeout: 15_000 });
    const code = ((await page.getByTestId('pairing-code').textContent()) ?? '').replace(/\s/g, '');
    expect(code).toMatch(/^\d{6}$/);
    await checkScreen(page, 'pairing');

    const admin = await login(unpaired.url, 'admin');
    const approved = await request(unpaired.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { cookie: admin, body: { office: 'kupang', name: 'Kios pintu depan' } });
    expect(approved.status).toBe(201);
    await page.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole('button', { name: /Informasi & Pengaduan/ }).isEnabled(), { timeout: 15_000 }).toBe(true);

    // The paired kiosk issues tickets and records failed pre-checks with its own token.
    await page.getByRole('button', { name: /Informasi & Pengaduan/ }).click();
    await page.getByRole('button', { name: /^Tidak/ }).click();
    const number = await shownNumber(page);
    const snap = await request<QueueSnapshot>(unpaired.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: admin });
    expect(snap.body.tickets.find((t) => t.number === number)?.source).toBe('kiosk');
    await page.getByRole('button', { name: 'Selesai' }).click();
    await page.getByRole('button', { name: /Pindah \/ Datang/ }).click();
    await page.getByRole('button', { name: /Datang/ }).click();
    await answer(page, /SKPWNI/, false);
    await answer(page, 'KTP-el', true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: 'Yang perlu Anda bawa' }).waitFor();
    await expect
      .poll(async () => {
        const audit = await request(unpaired.url, 'GET', '/api/v1/offices/kupang/audit', { cookie: admin });
        return (audit.body.entries as Array<{ action: string; actor: { name?: string } }>).some((e) => e.action === 'precheck_failed' && e.actor.name === 'Kios pintu depan');
      })
      .toBe(true);

    // Revoked: back to pairing.
    const devices = await request(unpaired.url, 'GET', '/api/v1/devices', { cookie: admin });
    const id = (devices.body.devices as Array<{ id: string; name: string }>).find((d) => d.name === 'Kios pintu depan')!.id;
    expect((await request(unpaired.url, 'DELETE', `/api/v1/devices/${id}`, { cookie: admin })).status).toBe(204);
    await page.getByRole('heading', { name: 'Kios ini belum dipasangkan' }).waitFor({ timeout: 20_000 });
  });
});
