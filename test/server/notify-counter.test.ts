// The counter screen says whether the holder of the ticket in hand was told of
// the call: real Chromium on the built counter page, a real webhook provider.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSettings } from '../../server/settings.ts';
import { artifact, copyOfDist, launchBrowser } from '../helpers/browser.ts';
import { issue, subscribe } from '../helpers/notify.ts';
import { WebhookReceiver } from '../helpers/provider-servers.ts';
import { DEMO_PASSWORD, login, startServer } from '../helpers/server.ts';

const SECRET = 'webhook-secret-for-tests-0123456789';
let browser: Browser;
let dist: string;
beforeAll(async () => {
  browser = await launchBrowser();
  dist = await copyOfDist('counter');
});
afterAll(async () => {
  await browser?.close();
  if (dist) await rm(path.dirname(dist), { recursive: true, force: true });
});

it('shows ✓ and the channel on the ticket in hand once its call alert went out, – for a ticket without alerts', async () => {
  const w = await WebhookReceiver.start(SECRET);
  const s = await startServer({ settings: { distDir: dist, notify: { ...loadSettings({}).notify, webhookUrl: w.hookUrl, webhookSecret: SECRET } } });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  try {
    const clerk = await login(s.url, 'petugas1');
    const plain = await issue(s, clerk);
    const told = await issue(s, clerk);
    await subscribe(s, told, { phone: { number: '081234567890', channel: 'whatsapp', consent: true } });
    const page = await context.newPage();
    await page.goto(`${s.url}/counter/?office=kupang`);
    await page.getByLabel('Nama pengguna').fill('petugas1');
    await page.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toBe('Tersambung');
    await page.getByLabel('Loket', { exact: true }).selectOption('1');
    const callNext = page.locator('[data-actions] button[data-action="call_next"]');
    const notify = page.getByTestId('held-notify');

    await callNext.click();
    await expect.poll(() => page.getByTestId('held').textContent()).toBe(plain.number);
    await expect.poll(() => notify.textContent()).toMatch(/–\s+tidak berlangganan/);
    await page.locator('[data-actions] button[data-action="finish"]').click();
    await page.locator('dialog[open] button[data-outcome="done"]').click();
    await expect.poll(() => page.getByTestId('held').textContent(), { timeout: 10_000 }).not.toBe(plain.number);

    await callNext.click();
    await expect.poll(() => page.getByTestId('held').textContent()).toBe(told.number);
    await expect.poll(() => notify.textContent(), { timeout: 15_000 }).toMatch(/✓\s+terkirim lewat WhatsApp/);
    await page.screenshot({ path: artifact('counter-notify-1366x768.png') });
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
  } finally {
    await context.close();
    await s.close();
    await w.close();
  }
}, 60_000);
