// The admin console in real Chromium at 1366x768 against a real server: an
// admin sets an office up from the browser and the kiosk, TV and printer
// follow; a clerk is refused; stale saves and wrong values are shown; a
// restore brings an office back on a fresh install. Every screen is checked
// with axe-core and photographed into test/artifacts/admin-*.png.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdminOfficeView } from '../../protocol/admin.ts';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.ts';
import { axeViolations, copyOfDist, launchBrowser, screenProblems, screenshot } from '../helpers/browser.ts';
import { DEMO_PASSWORD, login, request, startServer, type TestServer } from '../helpers/server.ts';

const VIEWPORT = { width: 1366, height: 768 };
const SECTIONS = ['office', 'services', 'checklists', 'counters', 'staff', 'devices', 'displays', 'rules', 'notify', 'audit', 'backup', 'sync'] as const;

let browser: Browser;
let dist: string;
let srv: TestServer;
const contexts: BrowserContext[] = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  dist = await copyOfDist('admin', 'kiosk', 'display');
});
afterAll(async () => {
  await browser?.close();
  if (dist) await rm(path.dirname(dist), { recursive: true, force: true });
});
beforeEach(async () => {
  srv = await startServer({ settings: { distDir: dist } });
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.close();
  await srv?.close();
});

async function newPage(size = VIEWPORT): Promise<Page> {
  const c = await browser.newContext({ viewport: size, bypassCSP: true });
  contexts.push(c);
  const page = await c.newPage();
  page.on('pageerror', (e) => console.error('[admin e2e] page error:', e.message));
  return page;
}

async function signIn(page: Page, username = 'admin', base = srv.url): Promise<void> {
  await page.goto(`${base}/admin/?office=kupang`);
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Masuk' }).click();
}

async function open(page: Page, view: (typeof SECTIONS)[number]): Promise<void> {
  await page.locator(`nav a[data-view="${view}"]`).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('section-h');
}

/** axe (0 violations), the screen fits its width, and a photograph. */
async function check(page: Page, name: string): Promise<void> {
  await screenshot(page, `admin-${name}`);
  expect(await axeViolations(page), `axe admin-${name}`).toEqual([]);
  expect(await screenProblems(page, { fitsWidth: true }), `screen admin-${name}`).toEqual([]);
}

const saveStatus = (page: Page, form: string) => page.locator(`form[data-form="${form}"] [data-testid="save-status"]`);

async function officeView(cookie: string): Promise<AdminOfficeView> {
  const r = await request<AdminOfficeView>(srv.url, 'GET', '/api/v1/admin/offices/kupang', { cookie });
  expect(r.status).toBe(200);
  return r.body;
}

describe('the admin console', () => {
  it('shows every section, each checked by axe, and moves the focus to the section heading', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/admin/`);
    await page.getByLabel('Nama pengguna').waitFor();
    await check(page, 'login');
    await signIn(page);
    await page.getByRole('heading', { name: 'Kantor & jam buka' }).waitFor();
    for (const view of SECTIONS) {
      await open(page, view);
      await page.waitForLoadState('networkidle');
      await check(page, `section-${view}`);
    }
    // The skip link is the first stop of the keyboard and lands on the heading.
    await page.goto(`${srv.url}/admin/?office=kupang#services`);
    await page.reload();
    await page.getByRole('heading', { name: 'Layanan', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Lewati ke isi');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('section-h');
  });

  it('refuses a clerk with "Anda tidak berhak" and shows no office data', async () => {
    const page = await newPage();
    await signIn(page, 'petugas1');
    await page.getByTestId('denied').waitFor();
    expect(await page.getByTestId('denied').textContent()).toBe('Anda tidak berhak');
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain('Perekaman');
    await check(page, 'denied');
  });

  it('adds service "H — Legalisir" with a two-item checklist; the kiosk shows the tile and the checklist within 2 s', async () => {
    const kiosk = await newPage({ width: 1080, height: 1920 });
    await kiosk.goto(`${srv.url}/kiosk/?office=kupang`);
    await kiosk.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor({ timeout: 15_000 });

    const page = await newPage();
    await signIn(page);
    await open(page, 'services');
    await page.getByTestId('add-service').click();
    const item = page.locator('form[data-form="services"] li.item').last();
    await item.getByLabel('Huruf nomor').fill('H');
    await item.getByLabel('Kode layanan').fill('legalisir');
    await item.getByRole('group', { name: 'Nama layanan' }).getByLabel('Bahasa Indonesia').fill('Legalisir');
    await item.getByRole('group', { name: 'Nama layanan' }).getByLabel('Bahasa Inggris').fill('Legalisation');
    await item.getByRole('group', { name: 'Keterangan' }).getByLabel('Bahasa Indonesia').fill('Legalisir salinan dokumen kependudukan');
    await item.getByRole('group', { name: 'Keterangan' }).getByLabel('Bahasa Inggris').fill('Certified copies of civil documents');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => saveStatus(page, 'services').getAttribute('data-status')).toBe('saved');
    await check(page, 'services-saved');

    await open(page, 'checklists');
    await page.getByLabel('Layanan', { exact: true }).selectOption({ label: 'H — Legalisir' });
    const sub = page.locator('form[data-form="checklists"] section.item').first();
    for (const [id, en] of [['KTP-el asli', 'Original e-KTP'], ['Fotokopi dokumen yang dilegalisir', 'Copy of the document']] as const) {
      await sub.getByTestId('add-requirement').click();
      const req = sub.locator('.reqs > li').last();
      await req.getByRole('group', { name: 'Persyaratan' }).getByLabel('Bahasa Indonesia').fill(id);
      await req.getByRole('group', { name: 'Persyaratan' }).getByLabel('Bahasa Inggris').fill(en);
    }
    await check(page, 'checklist-editing');
    const saved = Date.now();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => saveStatus(page, 'checklists').getAttribute('data-status')).toBe('saved');

    // The kiosk gets the office event: the tile, then its checklist.
    await kiosk.getByRole('button', { name: /Legalisir/ }).waitFor({ timeout: 2000 });
    expect(Date.now() - saved).toBeLessThan(2000);
    await kiosk.getByRole('button', { name: /Legalisir/ }).click();
    await kiosk.getByText('KTP-el asli').waitFor({ timeout: 5000 });
    await kiosk.getByText('Fotokopi dokumen yang dilegalisir').waitFor();
    await screenshot(kiosk, 'admin-kiosk-new-service');
  });

  it('shows a wrong value\'s field error next to the field, in Indonesian and in English', async () => {
    const page = await newPage();
    await signIn(page);
    await open(page, 'rules');
    await page.getByLabel('Nomor prioritas per satu nomor biasa').fill('99');
    await page.getByRole('button', { name: 'Simpan' }).click();
    const err = page.locator('[data-field-error="rules.priorityPerRegular"]');
    await err.waitFor();
    const idText = await err.textContent();
    expect(await page.getByLabel('Nomor prioritas per satu nomor biasa').getAttribute('aria-describedby')).toContain('f-rules-priorityPerRegular-err');
    await check(page, 'field-error-id');
    await page.getByTestId('lang').click();
    await expect.poll(() => err.textContent()).not.toBe(idText);
    expect(await page.getByLabel('Priority tickets per regular one').getAttribute('aria-invalid')).toBe('true');
    await check(page, 'field-error-en');
  });

  it('shows a stale save as a conflict with what changed, and reapplies on request', async () => {
    const page = await newPage();
    await signIn(page);
    await open(page, 'counters');
    // Someone else renames counter 2 meanwhile.
    const cookie = await login(srv.url, 'admin');
    const view = await officeView(cookie);
    const counters = view.office.counters.map((c) => (c.id === '2' ? { ...c, name: 'Loket Dua' } : c));
    const put = await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/counters', { cookie, body: { revision: view.revisions.counters.revision, value: { counters } } });
    expect(put.status).toBe(200);
    await page.locator('li[data-counter="1"]').getByLabel('Nama loket').fill('Loket Satu');
    await page.getByRole('button', { name: 'Simpan' }).click();
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.locator('h3').textContent()).toMatch(/^Diubah oleh admin pukul \d\d\.\d\d WITA$/);
    expect(await conflict.textContent()).toContain('counters.1.name');
    await check(page, 'conflict');
    await conflict.getByRole('button', { name: 'Terapkan perubahan saya di atasnya' }).click();
    await expect.poll(() => saveStatus(page, 'counters').getAttribute('data-status')).toBe('saved');
    const after = await officeView(cookie);
    expect(after.office.counters.map((c) => c.name).slice(0, 2)).toEqual(['Loket Satu', 'Loket Dua']);
  });

  it('renames a counter and the TV shows the new name without a reload', async () => {
    const tv = await newPage({ width: 1920, height: 1080 });
    await tv.goto(`${srv.url}/display/?office=kupang`);
    await tv.getByText('Loket 3').first().waitFor({ timeout: 15_000 });
    await tv.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const page = await newPage();
    await signIn(page);
    await open(page, 'counters');
    await page.locator('li[data-counter="3"]').getByLabel('Nama loket').fill('Loket Tiga Baru');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => saveStatus(page, 'counters').getAttribute('data-status')).toBe('saved');
    await tv.getByText('Loket Tiga Baru').first().waitFor({ timeout: 5000 });
    expect(await tv.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('keyboard only: tabs through the services form and saves with Enter', async () => {
    const page = await newPage();
    await signIn(page);
    await open(page, 'services');
    // From the heading, Tab until the first service's walk-in quota, type, Enter.
    const target = 'f-services-0-quota-walkIn';
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.id)) === target) break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(target);
    await page.keyboard.type('150');
    await check(page, 'keyboard-focus');
    await page.keyboard.press('Enter');
    await expect.poll(() => saveStatus(page, 'services').getAttribute('data-status')).toBe('saved');
    const view = await officeView(await login(srv.url, 'admin'));
    expect(view.office.services[0]!.quota.walkIn).toBe(150);
  });

  it('approves a kiosk\'s pairing code, gives it a printer, and the printer gets its next ticket', async () => {
    const emu = new PrinterEmulator();
    const { port } = await emu.start(0, '127.0.0.1');
    try {
      const start = await request(srv.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'kiosk' } });
      expect(start.status).toBe(201);
      const page = await newPage();
      await signIn(page);
      await open(page, 'devices');
      const row = page.locator(`tr[data-code="${start.body.code}"]`);
      await row.waitFor({ timeout: 5000 });
      await row.getByLabel(`Nama perangkat ${start.body.code}`).fill('Kios Pintu Masuk');
      await check(page, 'devices-pending');
      await row.getByRole('button', { name: /Setujui/ }).click();
      await row.waitFor({ state: 'detached', timeout: 5000 });
      // The screen collects its token as the kiosk does, polling until the approval is there.
      const collect = () => request(srv.url, 'GET', `/api/v1/devices/pairing/${start.body.requestId}`, { headers: { 'x-pairing-secret': start.body.secret } });
      let got = await collect();
      await expect.poll(async () => (got.body.status === 'approved' ? 'approved' : (got = await collect()).body.status), { timeout: 5000 }).toBe('approved');
      const deviceId = got.body.device.id as string;
      const dev = page.locator(`tr[data-device="${deviceId}"]`);
      await dev.waitFor({ timeout: 5000 });
      await dev.getByLabel(/^Printer/).fill(`tcp://127.0.0.1:${port}`);
      await dev.getByRole('button', { name: 'Simpan printer' }).click();
      await dev.getByText('Tersimpan').waitFor();
      await check(page, 'devices-paired');
      const issued = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'ktp-el' }, headers: { authorization: `Bearer ${got.body.token}` } });
      expect(issued.status).toBe(201);
      const number = issued.body.ticket.number as string;
      await expect.poll(() => emu.receipts.some((r) => r.text.includes(number)), { timeout: 10_000 }).toBe(true);
    } finally {
      await emu.stop();
    }
  });

  it('resets a password: shown once in a dialog with a copy button and a warning', async () => {
    const page = await newPage();
    await signIn(page);
    await open(page, 'staff');
    await page.locator('tr[data-user="petugas2"]').getByRole('button', { name: /Atur ulang kata sandi/ }).click();
    await check(page, 'staff-reset-confirm');
    await page.locator('dialog[open]').getByRole('button', { name: 'Atur ulang kata sandi' }).click();
    const pw = page.getByTestId('new-password');
    await pw.waitFor();
    expect((await pw.textContent())!.length).toBeGreaterThanOrEqual(10);
    await check(page, 'staff-password-shown');
  });

  it('restores a backup onto an empty data folder: tickets and configuration come back', async () => {
    const cookie = await login(srv.url, 'admin');
    for (const service of ['ktp-el', 'kk', 'kk']) {
      const r = await srv.giliran.queue.execute('kupang', { type: 'issue', service, priority: null, source: 'kiosk' }, { kind: 'system', id: 'test' });
      expect(r.ok).toBe(true);
    }
    const view = await officeView(cookie);
    const renamed = view.office.counters.map((c) => (c.id === '4' ? { ...c, name: 'Loket Empat Pulih' } : c));
    expect((await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/counters', { cookie, body: { revision: view.revisions.counters.revision, value: { counters: renamed } } })).status).toBe(200);
    const res = await fetch(`${srv.url}/api/v1/admin/backup`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const dir = await mkdtemp(path.join(tmpdir(), 'giliran-admin-backup-'));
    const file = path.join(dir, 'giliran-backup.json.gz');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));

    const fresh = await startServer({ settings: { distDir: dist } });
    servers.push(fresh);
    try {
      const page = await newPage();
      await signIn(page, 'admin', fresh.url);
      await open(page, 'backup');
      await page.getByLabel('Berkas cadangan').setInputFiles(file);
      await page.getByRole('button', { name: 'Pulihkan' }).click();
      await check(page, 'restore-confirm');
      await page.locator('dialog[open]').getByRole('button', { name: 'Pulihkan' }).click();
      await page.getByTestId('restored').waitFor({ timeout: 15_000 });
      await check(page, 'restored');
      const snap = await fresh.giliran.queue.snapshot('kupang');
      expect(snap.ok && snap.data.tickets.map((t) => t.number).sort()).toEqual(['A001', 'B001', 'B002']);
      const c2 = await login(fresh.url, 'admin');
      const v2 = await request<AdminOfficeView>(fresh.url, 'GET', '/api/v1/admin/offices/kupang', { cookie: c2 });
      expect(v2.body.office.counters.find((c) => c.id === '4')?.name).toBe('Loket Empat Pulih');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
