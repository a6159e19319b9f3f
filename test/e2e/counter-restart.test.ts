// A server restart while a clerk is signed in: the counter screen says it is
// offline, disables its buttons, tells the clerk a key pressed meanwhile was
// not sent (and does not send it later), and comes back with the same ticket
// in hand once the server is up again on the same port and data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkScreen, copyOfDist, launchBrowser, screenshot } from '../helpers/browser.ts';
import { startChild, type ChildServer } from '../helpers/child-server.ts';
import { DEMO_PASSWORD, login, request } from '../helpers/server.ts';

let browser: Browser;
let server: ChildServer | null = null;
let dataDir: string;
let distDir: string;

beforeAll(async () => {
  browser = await launchBrowser();
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-counter-restart-'));
  // Its own copy of the built pages: a `vite build` meanwhile empties dist/.
  distDir = await copyOfDist('counter');
});
afterAll(async () => {
  await browser?.close();
  await server?.kill();
  await rm(dataDir, { recursive: true, force: true });
  await rm(path.dirname(distDir), { recursive: true, force: true });
});

const text = (page: Page, id: string) => page.getByTestId(id).first().textContent().then((t) => (t ?? '').trim());
const online = (page: Page, label = 'Tersambung') => expect.poll(() => text(page, 'connection'), { timeout: 30_000, interval: 100 }).toBe(label);

async function ticket(base: string, cookie: string, number: string) {
  const r = await request(base, 'GET', '/api/v1/offices/kupang/queue', { cookie });
  expect(r.status).toBe(200);
  return (r.body.tickets as Array<{ number: string; state: string; calls: number }>).find((t) => t.number === number);
}

it('stays honest through a server restart while signed in, then carries on with the same ticket', { timeout: 120_000 }, async () => {
  const env = { GILIRAN_DATA: path.join(dataDir, 'data'), GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD, GILIRAN_DIST: distDir };
  server = await startChild(env);
  const port = new URL(server.url).port;
  const cookie = await login(server.url, 'supervisor');
  for (let i = 0; i < 2; i++) expect((await request(server.url, 'POST', '/api/v1/offices/kupang/tickets', { cookie, body: { service: 'A' } })).status).toBe(201);

  // bypassCSP: axe goes in as an inline script.
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}/counter/?office=kupang`);
  await page.getByLabel('Nama pengguna').fill('petugas1');
  await page.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await online(page);
  await page.getByLabel('Loket', { exact: true }).selectOption('1');
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).not.toBe('SELECT');
  await page.keyboard.press('F1');
  await expect.poll(() => text(page, 'held')).toBe('A001');
  await page.keyboard.press('s');
  await expect.poll(() => text(page, 'held-state')).toBe('Sedang dilayani');

  await server.kill('SIGKILL');
  server = null;
  await online(page, 'Terputus');
  expect(await text(page, 'offline-banner')).toContain('Koneksi ke server terputus');
  for (const a of ['call_next', 'finish', 'transfer', 'park', 'pause', 'issue']) {
    expect(await page.locator(`[data-actions] button[data-action="${a}"]`).isDisabled(), a).toBe(true);
  }
  // A key pressed while offline: told at once that it was not sent.
  await page.keyboard.press('f');
  await expect.poll(() => text(page, 'feedback')).toContain('TIDAK TERKIRIM: Selesai');
  expect(await page.locator('dialog[open]').count()).toBe(0);
  // The ticket in hand stays on screen: the server is the truth, and it is away.
  expect(await text(page, 'held')).toBe('A001');
  await checkScreen(page, 'counter-offline', { rules: { fitsWidth: true, fitsHeight: true, inViewport: '[data-actions] button' } });

  server = await startChild({ ...env, PORT: port });
  await online(page);
  await expect.poll(() => page.getByTestId('offline-banner').count()).toBe(0);
  expect(await text(page, 'held')).toBe('A001');
  expect(await text(page, 'held-state')).toBe('Sedang dilayani');
  // The finish typed while offline was not sent later either: it would have gone out on reconnecting,
  // before the finish below on the same socket, which would then find nothing in hand (and the audit
  // below would count two).
  expect((await ticket(server.url, await login(server.url, 'supervisor'), 'A001'))?.state).toBe('serving');
  await screenshot(page, 'counter-back-online');

  await page.keyboard.press('f');
  await page.locator('dialog[open]').waitFor();
  await page.keyboard.press('1');
  await expect.poll(() => text(page, 'feedback')).toContain('A001 selesai');
  const audit = await request(server.url, 'GET', '/api/v1/offices/kupang/audit', { cookie: await login(server.url, 'supervisor') });
  expect((audit.body.entries as Array<{ action: string; ticketId: string | null }>).filter((e) => e.action === 'ticket_finished')).toHaveLength(1);
  await page.keyboard.press('F1');
  await expect.poll(() => text(page, 'held')).toBe('A002');
});
