// The kiosk when its server goes away: it says so and what to do, promises no
// ticket, and comes back by itself when the server is restarted (stopped
// cleanly, and killed), on the same port and data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { QueueSnapshot } from '../../protocol/model.ts';
import { checkScreen, copyOfDist, launchBrowser } from '../helpers/browser.ts';
import { startChild, type ChildServer } from '../helpers/child-server.ts';
import { request } from '../helpers/server.ts';

const PORTRAIT = { width: 1080, height: 1920 };
const LANDSCAPE = { width: 1920, height: 1080 };

let dataDir: string;
let distDir: string;
let server: ChildServer | null = null;
let port = '';
let browser: Browser;


async function start(): Promise<void> {
  server = await startChild({ GILIRAN_DATA: dataDir, GILIRAN_DIST: distDir, GILIRAN_DEMO_PASSWORD: 'offline-test-123', PORT: port || '0' });
  port = new URL(server.url).port;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-kiosk-offline-'));
  distDir = await copyOfDist('kiosk');
  await start();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(path.dirname(distDir), { recursive: true, force: true });
});

async function informasiCount(): Promise<number> {
  const res = await request<QueueSnapshot>(server!.url, 'GET', '/api/v1/offices/kupang/queue');
  return res.body.tickets.filter((t) => t.serviceId === 'informasi').length;
}

/** Axe (with AAA contrast) and no scrolling in both orientations, with a screenshot of each. */
async function checkBothOrientations(page: Page, name: string): Promise<void> {
  await checkScreen(page, `kiosk-${name}`, { rules: { noScroll: 'main.screen' }, axe: { enhancedContrast: true }, viewports: { portrait: PORTRAIT, landscape: LANDSCAPE } });
}

describe('kiosk offline', () => {
  it('shows that it is offline, issues nothing, and recovers by itself after a restart', async () => {
    const context = await browser.newContext({ viewport: PORTRAIT, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server!.url}/kiosk/?office=kupang`);
    const tile = page.getByRole('button', { name: /Informasi & Pengaduan/ });
    await expect.poll(() => tile.isEnabled(), { timeout: 15_000 }).toBe(true);
    const before = await informasiCount();

    // Stopped cleanly (an update, a restart) while a citizen is on the last step.
    await tile.click();
    const no = page.getByRole('button', { name: /^Tidak/ });
    await no.waitFor();
    await server!.kill('SIGTERM');
    const offline = page.getByTestId('offline');
    await offline.getByText('Kios sedang terputus dari server').waitFor({ timeout: 15_000 });
    await offline.getByText(/silakan tunggu sebentar atau tanyakan kepada petugas/).waitFor();
    expect(await no.isDisabled()).toBe(true);
    await no.click({ force: true });
    expect(await page.getByTestId('ticket-number').count()).toBe(0);
    await checkBothOrientations(page, 'offline-priority');

    await start();
    await offline.waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => no.isEnabled()).toBe(true);
    await no.click();
    const number = (await page.getByTestId('ticket-number').textContent({ timeout: 15_000 }))?.trim();
    expect(number).toMatch(/^G\d{3}$/);
    expect(await informasiCount()).toBe(before + 1);
    await page.getByRole('button', { name: 'Selesai' }).click();

    // Killed outright on the start screen: the tiles cannot be used until it is back.
    await expect.poll(() => tile.isEnabled()).toBe(true);
    await server!.kill('SIGKILL');
    await offline.waitFor({ timeout: 15_000 });
    expect(await tile.isDisabled()).toBe(true);
    await checkBothOrientations(page, 'offline-start');
    await start();
    await offline.waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => tile.isEnabled()).toBe(true);
    await tile.click();
    await page.getByRole('button', { name: /^Tidak/ }).click();
    expect((await page.getByTestId('ticket-number').textContent({ timeout: 15_000 }))?.trim()).toMatch(/^G\d{3}$/);
    expect(await informasiCount()).toBe(before + 2);
    await context.close();
  }, 180_000); // two restarts of a child server; slow while the rest of the suite loads both cores
});
