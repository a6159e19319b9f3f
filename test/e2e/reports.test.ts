// The Reports section in real Chromium at 1366x768 against a real server with
// a day of 600 tickets in its data folder: a supervisor opens it, picks the
// day, sees the figures the API computes, the charts, the tables; exports CSV
// and XLSX (read back with exceljs) and opens the printable report. axe 0,
// keyboard, screenshots (test/artifacts/reports-*.png and /tmp/shots-reports/).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../protocol/reports.ts';
import { officeDayOf } from '../../server/domain/time.ts';
import { axeViolations, copyOfDist, launchBrowser, screenProblems, screenshot } from '../helpers/browser.ts';
import { kupang } from '../helpers/domain.ts';
import { busyReportDay, journalText } from '../helpers/report-day.ts';
import { DEMO_PASSWORD, login, request, startServer, type TestServer } from '../helpers/server.ts';

const VIEWPORT = { width: 1366, height: 768 };
const SHOTS = '/tmp/shots-reports';
const DAY = new Date(Date.parse(`${officeDayOf(new Date(), 'Asia/Makassar')}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10); // yesterday in Kupang

let browser: Browser;
let dist: string;
let dataDir: string;
let srv: TestServer;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  dist = await copyOfDist('admin');
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-reports-e2e-'));
  const days = path.join(dataDir, 'offices', 'kupang', 'days');
  await mkdir(days, { recursive: true });
  await writeFile(path.join(days, `${DAY}.jsonl`), journalText(busyReportDay(kupang(), DAY, 600, { secondsPerTicket: 40 }).commits));
  srv = await startServer({ dataDir, settings: { distDir: dist } });
  await mkdir(SHOTS, { recursive: true });
  context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, bypassCSP: true }); // axe is injected as a script tag
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await srv?.close();
  if (dist) await rm(path.dirname(dist), { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function check(page: Page, name: string): Promise<void> {
  await screenshot(page, `reports-${name}`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  expect(await axeViolations(page), `axe reports-${name}`).toEqual([]);
  expect(await screenProblems(page, { fitsWidth: true }), `screen reports-${name}`).toEqual([]);
}

describe('the Reports section', () => {
  it('shows a day of 600 tickets with the figures of the API, charts and tables; exports CSV and XLSX; prints', async () => {
    const cookie = await login(srv.url, 'supervisor');
    const api = (await request<Report>(srv.url, 'GET', `/api/v1/offices/kupang/reports?from=${DAY}&to=${DAY}`, { cookie })).body;
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[reports e2e] page error:', e.message));
    await page.goto(`${srv.url}/admin/?office=kupang`);
    await page.getByLabel('Nama pengguna').fill('supervisor');
    await page.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.locator('nav a[data-view="reports"]').click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('section-h');
    await page.getByTestId('r-date').fill(DAY);
    await expect.poll(() => page.getByTestId('r-status').textContent(), { timeout: 30_000 }).toContain(`${DAY} – ${DAY} · 1`);
    const cards = page.getByTestId('r-cards');
    await expect.poll(() => cards.locator('li').first().textContent()).toContain('600');
    // The services table shows the API's figures.
    const services = api.tables.find((t) => t.id === 'services')!;
    const rows = page.getByTestId('r-table-services').locator('tbody tr');
    expect(await rows.count()).toBe(services.rows.length);
    const first = await rows.first().locator('td').allTextContents();
    expect(first[0]).toBe(services.rows[0]![0]);
    expect(first[1]).toBe(String(services.rows[0]![1]));
    expect(first[2]).toBe(String(services.rows[0]![2]));
    // Three charts, each a drawn canvas.
    for (const id of ['chart-wait', 'chart-arrivals', 'chart-breaches']) await page.getByTestId(id).locator('canvas').first().waitFor();
    await page.waitForLoadState('networkidle');
    await check(page, 'day');

    // The keyboard changes the table (select, arrow keys).
    await page.locator('#r-table').focus();
    await page.selectOption('#r-table', 'standards');
    await page.getByTestId('r-table-standards').waitFor();
    await check(page, 'standards');
    await page.selectOption('#r-table', 'breaches');
    await page.getByTestId('r-table-breaches').waitFor();
    await page.selectOption('#r-table', 'precheck');
    await page.getByTestId('r-table-precheck').waitFor();
    expect(await page.getByTestId('r-table-precheck').locator('tbody tr').first().textContent()).toContain('Rusak');
    await check(page, 'precheck');
    await page.locator('#r-table').focus();
    await page.keyboard.press('ArrowUp');
    await page.getByTestId('r-table-days').waitFor();

    // CSV of the table shown.
    await page.selectOption('#r-table', 'services');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('r-csv').click()]);
    const csvText = (await readFile((await csv.path())!, 'utf8')).replace(/^\uFEFF/, '');
    expect(csvText.split('\r\n')[0]).toMatch(/^Layanan,Diterbitkan,Dilayani/);
    expect(csvText).toContain(`${services.rows[0]![0]},${services.rows[0]![1]},${services.rows[0]![2]}`);
    // XLSX of every table.
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('r-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toBe(`laporan-kupang-${DAY}_${DAY}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsx.path())!);
    const ws = wb.getWorksheet('Per layanan')!;
    expect(ws.getRow(4).getCell(2).value).toBe(services.rows[0]![1]);

    // The printable report opens in a new tab: the office's name, A4, the tables.
    const [print] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('r-print').click()]);
    await print.waitForLoadState('load');
    expect(await print.locator('h1').textContent()).toContain(kupang().name.id);
    expect(await print.locator('table').count()).toBeGreaterThan(5);
    await print.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    await screenshot(print, 'reports-print');
    await print.screenshot({ path: path.join(SHOTS, 'print.png') });
    expect(await axeViolations(print), 'axe print').toEqual([]);
    await print.close();
  });
});
