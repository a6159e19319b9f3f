// The TV and a server restart: the display marks itself offline within 5 s,
// reconnects by itself when the server is back (same address, same data),
// shows the right current call from a fresh snapshot and does not announce
// old calls again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AudioTrace } from '../../ui/speech/announcement-queue.ts';
import { callClips } from '../../ui/speech/call-phrase.ts';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { startChild, writeSettings, type ChildServer } from '../helpers/child-server.ts';
import { DEMO_PASSWORD, login, request } from '../helpers/server.ts';

const WAIT = { timeout: 15_000 };
let dir: string;
let env: Record<string, string>;
let child: ChildServer | null = null;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'giliran-display-restart-'));
  env = {
    GILIRAN_DATA: path.join(dir, 'data'),
    GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD,
    GILIRAN_CONFIG: await writeSettings(dir, { ticketsPerDevicePerMinute: 1000 }),
  };
  // Learn a free port, then keep the server on it across restarts (the TV knows one address).
  const probe = await startChild(env);
  const port = new URL(probe.url).port;
  await probe.kill();
  env.PORT = port;
  child = await startChild(env);
  browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
});
afterAll(async () => {
  await browser?.close();
  await child?.kill();
  await rm(dir, { recursive: true, force: true });
});

async function call(counter: string, service: string): Promise<string> {
  const base = child!.url;
  const issued = await request(base, 'POST', '/api/v1/offices/kupang/tickets', { body: { service } });
  expect(issued.status).toBe(201);
  const cookie = await login(base, `petugas${counter}`);
  await request(base, 'POST', `/api/v1/offices/kupang/counters/${counter}/finish`, { body: { outcome: 'done' }, cookie });
  const r = await request(base, 'POST', `/api/v1/offices/kupang/counters/${counter}/call-next`, { body: {}, cookie });
  expect(r.status).toBe(200);
  return r.body.ticket.number as string;
}

const audio = (page: Page) => page.evaluate(() => window.__giliranAudio ?? null) as Promise<AudioTrace | null>;
const loket = (n: string) => ({ id: n, name: `Loket ${n}`, word: 'loket' });

describe('display across a server restart', () => {
  it('marks itself offline within 5 s, recovers with the right current call, and replays nothing', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await page.goto(`${child!.url}/display/?office=kupang`);
    await expect.poll(async () => (await audio(page))?.state, WAIT).toBe('running');

    const first = await call('1', 'ktp-el');
    await expect.poll(() => page.getByTestId('current-number').textContent(), WAIT).toBe(first);
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([callClips(first, loket('1'))]);

    await child!.kill('SIGKILL');
    const down = Date.now();
    await expect.poll(() => page.getByTestId('offline-mark').count(), { timeout: 5_000, interval: 100 }).toBe(1);
    const noticedMs = Date.now() - down;
    expect(noticedMs).toBeLessThan(5_000);
    expect(await page.getByTestId('offline-mark').textContent()).toContain('Terputus');
    // The last call stays on screen while offline.
    expect(await page.getByTestId('current-number').textContent()).toBe(first);
    await screenshot(page, 'display-restart-offline');

    child = await startChild(env);
    await expect.poll(() => page.getByTestId('offline-mark').count(), WAIT).toBe(0);
    expect(await page.getByTestId('current-number').textContent()).toBe(first);

    const second = await call('2', 'kk');
    await expect.poll(() => page.getByTestId('current-number').textContent(), WAIT).toBe(second);
    expect(await page.getByTestId('history-item').first().textContent()).toContain(first);
    // The first call was announced once, before the restart; the second once, after it.
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([callClips(first, loket('1')), callClips(second, loket('2'))]);
    await page.context().close();
  });
});
