// The two requirement shapes at the kiosk, in real Chromium: KK baru asks
// "moving from another regency?" once, before the moving letter, which
// applies only on a yes; KK hilang/rusak takes the police report or the
// damaged card as one row of choices. "What to bring" names the alternatives
// with "atau" and only the items that apply; the ticket keeps which
// alternative was brought and how the question was answered. Every screen is
// checked with axe-core and the size rules in both orientations and saved
// (test/artifacts/kiosk-condition-*.png, kiosk-alternatives-*.png).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { checkScreen as checkScreenAt, copyOfDist, launchBrowser, type ScreenRules } from '../helpers/browser.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const PORTRAIT = { width: 1080, height: 1920 };
const LANDSCAPE = { width: 1920, height: 1080 };
const MOVING = 'Apakah Anda pindah dari kabupaten/kota lain?';

let srv: TestServer;
let browser: Browser;
let distDir: string;
let context: BrowserContext;
let cookie: string;

beforeAll(async () => {
  distDir = await copyOfDist('kiosk');
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000, distDir } });
  browser = await launchBrowser();
  cookie = await login(srv.url, 'admin');
});
afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await srv?.close();
  await rm(path.dirname(distDir), { recursive: true, force: true });
});

async function openKiosk(): Promise<Page> {
  // bypassCSP: axe-core is injected as an inline script.
  context = await browser.newContext({ viewport: PORTRAIT, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${srv.url}/kiosk/?office=kupang`);
  await page.getByRole('heading', { name: 'Ambil nomor antrean' }).waitFor({ timeout: 15_000 });
  await expect.poll(() => page.getByRole('button', { name: /Kartu Keluarga/ }).isEnabled(), { timeout: 15_000 }).toBe(true);
  return page;
}

const KIOSK_RULES: ScreenRules = { minTarget: 64, minText: 24, fitsWidth: true, unclipped: '.tile, .btn, .item, .dialog', noScroll: 'main.screen' };
const checkScreen = (page: Page, name: string) =>
  checkScreenAt(page, `kiosk-${name}`, { rules: KIOSK_RULES, axe: { enhancedContrast: true }, viewports: { portrait: PORTRAIT, landscape: LANDSCAPE } });

/** The pre-check row whose text matches. */
const row = (page: Page, text: string | RegExp) => page.getByRole('listitem').filter({ hasText: text });
async function answer(page: Page, text: string | RegExp, yes: boolean): Promise<void> {
  await row(page, text).getByRole('button', { name: yes ? 'Ya' : 'Tidak', exact: true }).click();
}
const rowTexts = async (page: Page) => (await page.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

async function ticketTaken(page: Page): Promise<Ticket> {
  await page.getByRole('heading', { name: 'Apakah Anda termasuk prioritas?' }).waitFor();
  await page.getByRole('button', { name: /^Tidak/ }).click();
  const shown = page.getByTestId('ticket-number');
  await shown.waitFor({ timeout: 15_000 });
  const number = (await shown.textContent())?.trim();
  const snap = (await request<QueueSnapshot>(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie })).body;
  const t = snap.tickets.find((x) => x.number === number);
  if (!t) throw new Error(`ticket ${number} not in the queue`);
  return t;
}

describe('kiosk: a conditional item', () => {
  it('asks "moving from another regency?" once, before the moving letter, which applies only on a yes', async () => {
    const page = await openKiosk();
    await page.getByRole('button', { name: /Kartu Keluarga/ }).click();
    await page.getByRole('button', { name: /^Baru/ }).click();
    await page.getByRole('heading', { name: 'Periksa dokumen Anda' }).waitFor();
    // The letter is not asked for before the question is answered.
    expect(await row(page, 'Surat keterangan pindah').count()).toBe(0);
    await answer(page, /Buku nikah/, true);
    await answer(page, /KK asal/, true);
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByText('Masih ada 1 baris yang belum dijawab').waitFor();
    await checkScreen(page, 'condition-asked');

    // Ya: the letter comes right after the question.
    await answer(page, MOVING, true);
    await row(page, 'Surat keterangan pindah').waitFor();
    const rows = await rowTexts(page);
    expect(rows.findIndex((t) => t.includes('Surat keterangan pindah'))).toBe(rows.findIndex((t) => t.includes(MOVING)) + 1);
    expect(rows.filter((t) => t.includes(MOVING))).toHaveLength(1);
    await answer(page, 'Surat keterangan pindah', false);
    await checkScreen(page, 'condition-yes');
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: 'Yang perlu Anda bawa' }).waitFor();
    expect(await page.locator('.missing li').allTextContents()).toEqual(['Surat keterangan pindah']);
    await checkScreen(page, 'condition-bring');

    // Tidak: the letter no longer applies, and a ticket is taken.
    await page.getByRole('button', { name: /Ubah jawaban/ }).click();
    await answer(page, MOVING, false);
    await expect.poll(() => row(page, 'Surat keterangan pindah').count()).toBe(0);
    await checkScreen(page, 'condition-no');
    await page.getByRole('button', { name: /Lanjut/ }).click();
    const t = await ticketTaken(page);
    expect(t.precheck).toEqual({ subcase: 'baru', passed: true, missing: [], conditions: { 'pindah-dari-luar-daerah': false } });
    await page.getByRole('button', { name: 'Selesai' }).click();
  });
});

describe('kiosk: an item with alternatives', () => {
  it('shows the police report and the damaged card as one row of choices, named with "atau" on "what to bring"', async () => {
    const page = await openKiosk();
    await page.getByRole('button', { name: /Kartu Keluarga/ }).click();
    await page.getByRole('button', { name: /Hilang atau rusak/ }).click();
    const choices = row(page, 'Saya membawa salah satu:');
    await choices.waitFor();
    expect(await choices.getByRole('button').allTextContents()).toEqual(['Surat keterangan kehilangan dari kepolisian', 'KK yang rusak', 'Tidak membawa keduanya']);
    await answer(page, 'KTP-el', true);
    await choices.getByRole('button', { name: 'Tidak membawa keduanya' }).click();
    await checkScreen(page, 'alternatives');
    await page.getByRole('button', { name: /Lanjut/ }).click();
    await page.getByRole('heading', { name: 'Yang perlu Anda bawa' }).waitFor();
    expect(await page.locator('.missing li').allTextContents()).toEqual(['Surat keterangan kehilangan dari kepolisian atau KK yang rusak']);
    const qr = new URL((await page.getByRole('img', { name: /Kode QR/ }).getAttribute('src'))!, srv.url);
    expect(qr.searchParams.get('data')).toContain('- Surat keterangan kehilangan dari kepolisian atau KK yang rusak');
    await checkScreen(page, 'alternatives-bring');

    // In English, one language per sentence.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'What you need to bring' }).waitFor();
    expect(await page.locator('.missing li').allTextContents()).toEqual(['Police report of loss or the damaged family card (KK)']);
    await page.getByRole('button', { name: /Change my answers/ }).click();
    await row(page, 'I have brought one of these:').getByRole('button', { name: 'Neither of them' }).waitFor();
    await checkScreen(page, 'alternatives-en');
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();

    // The damaged card instead: a ticket, and the counter sees which.
    await choices.getByRole('button', { name: 'KK yang rusak' }).click();
    expect(await choices.getByRole('button', { name: 'KK yang rusak' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: /Lanjut/ }).click();
    const t = await ticketTaken(page);
    expect(t.precheck).toEqual({ subcase: 'hilang-rusak', passed: true, missing: [], alternatives: { 'surat-kehilangan-polisi': 'kk-rusak' } });
    await page.getByRole('button', { name: 'Selesai' }).click();
  });
});
