// The sync section of the admin console in real Chromium at 1366x768, on both
// sides: an office box that has shipped its day (and then loses the central),
// and the central on PostgreSQL listing the box. Checked with axe-core and
// photographed (test/artifacts/admin-sync-*.png).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, copyOfDist, launchBrowser, screenProblems, screenshot } from '../helpers/browser.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { DEMO_PASSWORD, startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const VIEWPORT = { width: 1366, height: 768 };

describe.runIf(postgresAvailable())('the sync section', () => {
  let browser: Browser;
  let dist: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let central: TestServer;
  let box: TestServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    dist = await copyOfDist('admin');
    db = await freshDatabase('syncui');
    central = await startServer({ settings: { databaseUrl: db.url, distDir: dist } });
    const req = central.giliran.auth.startPairing('office_box', 'Server Dukcapil Kupang', 'e2e')!;
    await central.giliran.auth.approvePairing(req.code, 'kupang', undefined, 'admin');
    const got = central.giliran.auth.pairingStatus(req.requestId, req.secret);
    if (got?.status !== 'approved') throw new Error('pairing failed');
    box = await startServer({ settings: { distDir: dist, centralUrl: central.url, boxTokens: [got.token], sync: { lingerMs: 20, retryBaseMs: 200, retryMaxMs: 60_000, idleMs: 500, requestTimeoutMs: 10_000, batchSize: 500 } } });
    for (let i = 0; i < 30; i++) {
      const r = await box.giliran.queue.execute('kupang', { type: 'issue', service: i % 2 ? 'ktp-el' : 'kk' }, { kind: 'system', id: 'e2e' });
      expect(r.ok).toBe(true);
    }
    await until(() => box.giliran.sync?.status('kupang')?.lastVersion === 30, 30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await box?.close();
    await central?.close();
    await db?.drop();
    if (dist) await rm(path.dirname(dist), { recursive: true, force: true });
  });

  async function openSync(base: string): Promise<Page> {
    const c = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
    const page = await c.newPage();
    await page.goto(`${base}/admin/?office=kupang`);
    await page.getByLabel('Nama pengguna').fill('admin');
    await page.getByLabel('Kata sandi').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.locator('nav a[data-view="sync"]').click();
    await page.getByRole('heading', { name: 'Sinkronisasi pusat', level: 1 }).waitFor();
    return page;
  }

  async function check(page: Page, name: string): Promise<void> {
    await screenshot(page, `admin-${name}`);
    await page.screenshot({ path: `/tmp/shots-sync/${name}.png` }).catch(() => undefined);
    expect(await axeViolations(page), `axe ${name}`).toEqual([]);
    expect(await screenProblems(page, { fitsWidth: true }), `screen ${name}`).toEqual([]);
  }

  it('shows on the box what it shipped, and the error once the central is gone', async () => {
    const page = await openSync(box.url);
    const facts = page.getByTestId('sync-box');
    await expect.poll(() => facts.textContent()).toContain('Tersinkron');
    expect(await facts.textContent()).toContain(central.url);
    await check(page, 'sync-box');
    await page.context().close();
  });

  it('lists the box on the central with its last day and version', async () => {
    const page = await openSync(central.url);
    const table = page.getByTestId('sync-boxes');
    await expect.poll(() => table.textContent()).toContain('Server Dukcapil Kupang');
    expect(await table.locator('tbody tr td').nth(2).textContent()).toBe('30');
    await check(page, 'sync-central');
    await page.context().close();
  });

  it('shows the lag and the last error on the box while the central is unreachable', async () => {
    await central.close();
    for (let i = 0; i < 3; i++) expect((await box.giliran.queue.execute('kupang', { type: 'issue', service: 'kk' }, { kind: 'system', id: 'e2e' })).ok).toBe(true);
    await until(() => box.giliran.sync?.status('kupang')?.lastError !== null, 30_000);
    const page = await openSync(box.url);
    const facts = page.getByTestId('sync-box');
    await expect.poll(() => facts.textContent(), { timeout: 15_000 }).toContain('3 perubahan');
    expect(await facts.textContent()).toContain('central unreachable');
    await check(page, 'sync-box-offline');
    await page.context().close();
    // Closed once here: afterAll's second close must be harmless.
    central = { ...central, close: async () => undefined };
  });
});
