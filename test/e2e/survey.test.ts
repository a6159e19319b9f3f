// The IKM survey and complaints in real Chromium against a real server: a
// ticket finished at the counter, the survey answered on the holder's phone
// (390×844) from the tracking page's link, the IKM and the answer count
// changing in the admin survey section; a complaint filed from the phone,
// answered by a supervisor, the answer seen on the phone; the survey tablet
// (1080×1920 and 1920×1080). axe 0 on every screen; screenshots in
// /tmp/shots-survey/.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackUrl } from '../../protocol/urls.ts';
import { axeViolations, copyOfDist, launchBrowser, painted, screenProblems } from '../helpers/browser.ts';
import { DEMO_PASSWORD, login, request, startServer, type TestServer } from '../helpers/server.ts';

const SHOTS = '/tmp/shots-survey';
const PHONE = { width: 390, height: 844 };
const ADMIN = { width: 1366, height: 768 };
const WAIT = { timeout: 15_000 };
let srv: TestServer;
let browser: Browser;
let distDir: string;
let clerk = '';

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  distDir = await copyOfDist('track', 'survey', 'admin', 'kiosk');
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000, distDir } });
  clerk = await login(srv.url, 'petugas1');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  if (distDir) await rm(path.dirname(distDir), { recursive: true, force: true });
});

async function newPage(viewport: { width: number; height: number }, mobile = false): Promise<Page> {
  // bypassCSP: axe-core goes in as an inline script.
  const ctx = await browser.newContext({ viewport, bypassCSP: true, ...(mobile ? { isMobile: true, hasTouch: true } : {}) });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('[survey e2e] page error:', e.message));
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await painted(page);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  expect(await axeViolations(page), `axe ${name}`).toEqual([]);
  expect(await screenProblems(page, { fitsWidth: true }), `screen ${name}`).toEqual([]);
}

/** A ticket issued (demo kiosk), called and finished at counter 1. */
async function finishedTicket(service = 'ktp-el') {
  const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service } });
  expect(r.status).toBe(201);
  const t = r.body.ticket as { id: string; number: string };
  expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/1/call', { cookie: clerk, body: { ticket: t.number, reason: 'uji e2e' } })).status).toBe(200);
  expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/1/finish', { cookie: clerk, body: {} })).status).toBe(200);
  return { ...t, key: r.body.holderKey as string };
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${srv.url}/admin/?office=kupang`);
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Masuk' }).click();
}

async function openSection(page: Page, view: string): Promise<void> {
  await page.locator(`nav a[data-view="${view}"]`).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id), WAIT).toBe('section-h');
}

describe('the IKM survey', () => {
  it('is answered on the phone after the counter finishes the ticket, and the admin survey section counts it', async () => {
    const admin = await newPage(ADMIN);
    await signIn(admin, 'supervisor');
    await openSection(admin, 'survey');
    await admin.getByTestId('ikm-count').waitFor(WAIT);
    const before = Number(await admin.getByTestId('ikm-count').textContent());
    await shot(admin, 'admin-survey-before');

    const t = await finishedTicket();
    const phone = await newPage(PHONE, true);
    await phone.goto(trackUrl(srv.url, 'kupang', t.id, t.key));
    await phone.getByTestId('survey-link').click();
    await phone.getByTestId('survey-form').waitFor(WAIT);
    await shot(phone, 'phone-survey');
    const answers = [4, 4, 3, 4, 3, 4, 4, 3, 3];
    for (let i = 0; i < 9; i++) await phone.getByTestId(`q-${i + 1}`).locator('label.face').nth(answers[i]! - 1).click();
    await phone.getByRole('button', { name: 'Kirim survei' }).click();
    await phone.getByTestId('survey-thanks').waitFor(WAIT);
    await shot(phone, 'phone-survey-thanks');

    await admin.getByRole('button', { name: 'Tampilkan' }).click();
    await expect.poll(async () => Number(await admin.getByTestId('ikm-count').textContent()), WAIT).toBe(before + 1);
    // One answer, means 4,4,3,4,3,4,4,3,3 → 32/9 × 25 = 88.89 (A) when it is the only one.
    if (before === 0) expect(await admin.getByTestId('ikm-index').textContent()).toBe('88,89');
    await shot(admin, 'admin-survey-after');
  }, 120_000);

  it('runs on the survey tablet by ticket number, portrait and landscape', async () => {
    for (const [name, size] of [['tablet-portrait', { width: 1080, height: 1920 }], ['tablet-landscape', { width: 1920, height: 1080 }]] as const) {
      const t = await finishedTicket('kk');
      const page = await newPage(size);
      await page.goto(`${srv.url}/survey/?office=kupang`);
      await page.getByTestId('ticket-number').fill(t.number.toLowerCase());
      await shot(page, `${name}-number`);
      await page.getByRole('button', { name: 'Mulai survei' }).click();
      await page.getByTestId('survey-form').waitFor(WAIT);
      for (let i = 0; i < 9; i++) await page.getByTestId(`q-${i + 1}`).locator('label.face').nth(3).click();
      await shot(page, `${name}-form`);
      await page.getByRole('button', { name: 'Kirim survei' }).click();
      await page.getByTestId('thanks').waitFor(WAIT);
      await shot(page, `${name}-thanks`);
      await page.context().close();
    }
  }, 120_000);
});

describe('complaints', () => {
  it('is filed from the phone, answered by a supervisor, and the answer is seen on the phone', async () => {
    const t = await finishedTicket();
    const phone = await newPage(PHONE, true);
    await phone.goto(`${srv.url}/survey/?${new URLSearchParams({ office: 'kupang', t: t.id, k: t.key })}`);
    await phone.getByTestId('survey-form').waitFor(WAIT);
    await phone.getByText('Ada keluhan? Sampaikan pengaduan').click();
    await phone.getByTestId('complaint-text').fill('<script>alert(1)</script>');
    await phone.getByRole('button', { name: 'Kirim pengaduan' }).click();
    await expect.poll(() => phone.getByTestId('complaint-error').textContent(), WAIT).toContain('tidak boleh berisi kode');
    await phone.getByTestId('complaint-text').fill('Antrean di loket 1 lama sekali & petugas tidak ada.');
    await shot(phone, 'phone-complaint');
    await phone.getByRole('button', { name: 'Kirim pengaduan' }).click();
    const code = (await phone.getByTestId('complaint-code').textContent({ timeout: 15_000 }))!.trim();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await shot(phone, 'phone-complaint-filed');

    const lead = await newPage(ADMIN);
    await signIn(lead, 'supervisor');
    await openSection(lead, 'complaints');
    await lead.getByRole('button', { name: code }).click();
    await shot(lead, 'admin-complaints');
    await lead.getByTestId('complaint-answer').fill('Mohon maaf, kami menambah petugas di loket 1.');
    await lead.getByTestId('complaint-save').click();
    await expect.poll(async () => (await request(srv.url, 'GET', `/api/v1/complaints/kupang/${code}`)).body.responses.length, WAIT).toBe(1);

    await phone.reload();
    await phone.getByTestId('follow').locator('summary').click();
    await phone.getByTestId('follow-code').fill(code);
    await phone.getByRole('button', { name: 'Lihat' }).click();
    await expect.poll(() => phone.getByTestId('followed-answer').textContent(), WAIT).toBe('Mohon maaf, kami menambah petugas di loket 1.');
    expect(await phone.getByTestId('followed-status').textContent()).toBe('Diproses');
    await shot(phone, 'phone-complaint-answered');
  }, 120_000);

  it('is filed at the kiosk under an "Informasi & Pengaduan" ticket', async () => {
    const kiosk = await newPage({ width: 1080, height: 1920 });
    await kiosk.goto(`${srv.url}/kiosk/?office=kupang`);
    await expect.poll(() => kiosk.getByRole('button', { name: /Informasi & Pengaduan/ }).isEnabled(), WAIT).toBe(true);
    await kiosk.getByRole('button', { name: /Informasi & Pengaduan/ }).click();
    await kiosk.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor(WAIT);
    await kiosk.getByRole('button', { name: /^Tidak/ }).click();
    await kiosk.getByTestId('kiosk-complaint-open').click();
    await kiosk.getByTestId('kiosk-complaint').waitFor(WAIT);
    await kiosk.getByTestId('complaint-text').fill('Papan informasi persyaratan KIA kurang jelas.');
    await kiosk.getByRole('button', { name: 'Kirim pengaduan' }).click();
    const code = (await kiosk.getByTestId('complaint-code').textContent({ timeout: 15_000 }))!.trim();
    await shot(kiosk, 'kiosk-complaint-filed');
    const seen = await request(srv.url, 'GET', `/api/v1/complaints/kupang/${code}`);
    expect(seen.body).toMatchObject({ status: 'baru', text: 'Papan informasi persyaratan KIA kurang jelas.' });
  }, 120_000);
});
