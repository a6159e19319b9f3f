// The three placeholder pages work end to end in a real browser: a ticket
// taken at the kiosk is called from the counter screen and shown on the TV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { artifact, launchBrowser } from '../helpers/browser.ts';
import { DEMO_PASSWORD, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: Browser;

beforeAll(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('pages', () => {
  it('takes a ticket at the kiosk, calls it at the counter and shows it on the display', async () => {
    const kiosk = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
    await kiosk.goto(`${srv.url}/kiosk/?office=kupang`);
    await kiosk.getByRole('button', { name: /Informasi/ }).click();
    const number = kiosk.getByTestId('ticket-number');
    await expect.poll(() => number.textContent()).toBe('G001');
    await kiosk.screenshot({ path: artifact('placeholder-kiosk-ticket.png') });

    const display = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await display.goto(`${srv.url}/display/?office=kupang`);
    await expect.poll(() => display.getByText('Belum ada panggilan').count()).toBe(1);

    const counter = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await counter.goto(`${srv.url}/counter/?office=kupang`);
    await counter.getByLabel('Nama pengguna').fill('petugas4');
    await counter.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await counter.getByRole('button', { name: 'Masuk' }).click();
    await counter.getByLabel('Loket').selectOption('4');
    await counter.getByRole('button', { name: 'Panggil berikutnya' }).click();
    await expect.poll(() => counter.getByTestId('held').textContent()).toContain('G001');
    await counter.screenshot({ path: artifact('placeholder-counter.png') });

    await expect.poll(() => display.getByTestId('current-number').textContent()).toBe('G001');
    await expect.poll(() => display.getByText('Loket 4').count()).toBeGreaterThan(0);
    await display.screenshot({ path: artifact('placeholder-display.png') });
  });
});
