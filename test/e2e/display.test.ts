// The waiting-room TV in real Chromium against a real server: a call is shown
// huge and announced with the right clips, a recall is marked and announced
// again, quick calls are spoken in order, profiles filter what a TV shows,
// the offline mark, the sound prompt, pairing, axe, and screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { DisplayProfile } from '../../protocol/model.ts';
import { callClips } from '../../ui/speech/call-phrase.ts';
import type { AudioTrace } from '../../ui/speech/announcement-queue.ts';
import { axeViolations, checkScreen, launchBrowser, screenshot, type ScreenRules } from '../helpers/browser.ts';
import { DEMO_PASSWORD, login, request, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
/** Autoplay allowed, as on a TV started with the documented kiosk flag. */
let browser: Browser;
/** Chromium's default: sound waits for a gesture. */
let strictBrowser: Browser;
const cookies = new Map<string, string>();
/** Polls wait this long: pages load and sockets connect on a busy two-core machine. */
const WAIT = { timeout: 10_000 };

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000 } });
  await srv.giliran.store.config.update((draft) => {
    const office = draft.offices.find((o) => o.id === 'kupang')!;
    const kk: DisplayProfile = {
      id: 'ruang-kk', name: 'Ruang KK', services: ['kk'], counters: [], layout: 'landscape',
      secondLanguage: null, historySize: 4, showCounterStates: true, voice: 'clips', reloadAt: null,
    };
    office.displays.push(kk);
  });
  strictBrowser = await launchBrowser();
  browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
});
afterAll(async () => {
  await browser?.close();
  await strictBrowser?.close();
  await srv?.close();
});

async function clerk(counter: string): Promise<string> {
  let c = cookies.get(counter);
  if (!c) cookies.set(counter, (c = await login(srv.url, `petugas${counter}`, DEMO_PASSWORD)));
  return c;
}

async function issue(service: string): Promise<string> {
  const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service } });
  expect(r.status).toBe(201);
  return r.body.ticket.number as string;
}

async function counterCommand(counter: string, command: string, body: unknown = {}) {
  return request(srv.url, 'POST', `/api/v1/offices/kupang/counters/${counter}/${command}`, { body, cookie: await clerk(counter) });
}

/** Finishes whatever the counter holds, then calls the next ticket; returns its number. */
async function callNext(counter: string): Promise<string> {
  await counterCommand(counter, 'finish', { outcome: 'done' });
  const r = await counterCommand(counter, 'call-next');
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.ticket.number as string;
}

const LOKET = (n: string) => ({ id: n, name: `Loket ${n}`, word: 'loket' });

async function openDisplay(b: Browser, query: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const page = await (await b.newContext({ viewport, bypassCSP: true })).newPage();
  page.on('pageerror', (e) => console.error('display page error:', e.message));
  await page.goto(`${srv.url}/display/?office=kupang${query}`);
  return page;
}

const audio = (page: Page) => page.evaluate(() => window.__giliranAudio ?? null) as Promise<AudioTrace | null>;
const currentNumber = (page: Page) => page.getByTestId('current-number').textContent();

async function soundRunning(page: Page): Promise<void> {
  await expect.poll(async () => (await audio(page))?.state, { timeout: 10_000 }).toBe('running');
}

/** A TV never scrolls. */
const TV: ScreenRules = { fitsWidth: true, fitsHeight: true };

describe('waiting-room display', () => {
  it('shows a call huge and announces it with the chime and the Indonesian clips', async () => {
    const page = await openDisplay(browser, '');
    await expect.poll(() => page.getByText('Belum ada panggilan').count(), WAIT).toBe(1);
    await soundRunning(page);

    expect(await issue('ktp-el')).toBe('A001');
    expect(await callNext('1')).toBe('A001');

    await expect.poll(() => currentNumber(page), WAIT).toBe('A001');
    expect(await page.getByTestId('current-counter').textContent()).toBe('Loket 1');
    const sequence = ['chime', 'nomor-antrean', 'huruf-a', 'satu', 'silakan-ke', 'loket', 'satu'];
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([sequence]);
    await expect.poll(async () => (await audio(page))?.played, { timeout: 15_000 }).toEqual(sequence);
    await page.context().close();
  });

  it('marks a recall and announces it again; a reload does not replay old calls', async () => {
    const page = await openDisplay(browser, '');
    await expect.poll(() => currentNumber(page), WAIT).toBe('A001');
    await soundRunning(page);
    expect((await audio(page))?.queued).toEqual([]); // what was called before the page opened stays silent

    const r = await counterCommand('1', 'recall');
    expect(r.status).toBe(200);
    await expect.poll(() => page.getByTestId('recall-badge').count(), WAIT).toBe(1);
    expect(await page.getByTestId('recall-badge').textContent()).toContain('Panggilan ulang');
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([callClips('A001', LOKET('1'))]);

    await page.reload();
    await expect.poll(() => page.getByTestId('recall-badge').count(), WAIT).toBe(1);
    await soundRunning(page);
    // Nothing more happens: no event says "decided not to replay", so give a replay a bounded 500 ms.
    await new Promise((r) => setTimeout(r, 500));
    expect((await audio(page))?.queued).toEqual([]);
    await page.context().close();
  });

  it('speaks two quick calls one after the other, in the order they were made', async () => {
    const page = await openDisplay(browser, '');
    await expect.poll(() => currentNumber(page), WAIT).toBe('A001');
    await soundRunning(page);
    await issue('kk');
    await issue('akta');
    const first = await callNext('2');
    const second = await callNext('3');
    expect([first, second]).toEqual(['B001', 'C001']);

    await expect.poll(() => currentNumber(page), WAIT).toBe('C001');
    await expect.poll(() => page.getByTestId('history-item').first().textContent(), WAIT).toContain('B001');
    const a = callClips('B001', LOKET('2'));
    const b = callClips('C001', LOKET('3'));
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([a, b]);
    // Played back to back: all of the first, then all of the second, nothing interleaved or dropped.
    await expect.poll(async () => (await audio(page))?.played, { timeout: 20_000 }).toEqual([...a, ...b]);
    await page.context().close();
  });

  it('shows only the services of its profile', async () => {
    const page = await openDisplay(browser, '&profile=ruang-kk');
    await expect.poll(() => page.locator('[data-testid^="waiting-"]').count(), WAIT).toBe(1);
    expect(await page.getByTestId('waiting-kk').count()).toBe(1);
    // B001 was called before: it is this room's current call, C001 (akta) is not shown.
    await expect.poll(() => currentNumber(page), WAIT).toBe('B001');
    await soundRunning(page);

    await issue('ktp-el');
    await issue('kk');
    // Every number the page shows as the current call from now on.
    await page.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { __shownCalls: string[] }).__shownCalls = shown;
      new MutationObserver(() => shown.push(document.querySelector('[data-testid="current-number"]')?.textContent ?? '')).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    expect(await callNext('1')).toBe('A002');
    expect(await callNext('2')).toBe('B002');
    await expect.poll(() => currentNumber(page), WAIT).toBe('B002');
    // The calls reach the page in order: A002 came before B002 and was never shown, not even for a frame.
    expect(await page.evaluate(() => (window as unknown as { __shownCalls: string[] }).__shownCalls)).not.toContain('A002');
    expect(await page.getByText('A002').count()).toBe(0);
    expect(await page.getByText('C001').count()).toBe(0);
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([callClips('B002', LOKET('2'))]);
    // No English second line in this profile.
    expect(await page.getByText('Queue number').isVisible()).toBe(false);
    await page.context().close();
  });

  it('has no axe violations, and its screenshots are readable (landscape and portrait)', async () => {
    await issue('kia');
    await issue('pindah-datang');
    await counterCommand('4', 'pause', { reason: 'prayer' });
    await callNext('1'); // D001 at counter 1
    await counterCommand('1', 'recall');

    const land = await openDisplay(browser, '&profile=ruang-tunggu');
    await expect.poll(() => currentNumber(land), WAIT).toBe('D001');
    await soundRunning(land);
    await checkScreen(land, 'display-landscape', { rules: TV });
    await land.context().close();

    const portrait = await openDisplay(browser, '&profile=lorong', { width: 1080, height: 1920 });
    await expect.poll(() => currentNumber(portrait), WAIT).toBe('D001');
    expect(await portrait.locator('.screen.portrait').count()).toBe(1);
    await checkScreen(portrait, 'display-portrait', { rules: TV });
    expect(await audio(portrait)).toBeNull(); // this profile is silent: the audio code is never loaded
    await portrait.context().close();
    await counterCommand('4', 'resume');
  });

  it('asks once to enable sound when autoplay is blocked, and plays the waiting call after the touch', async () => {
    // Playwright's own evaluations count as user gestures, which would let sound start:
    // wait for Chromium's refusal before asking the page anything.
    const page = await (await strictBrowser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true })).newPage();
    const refused = page.waitForEvent('console', { predicate: (m) => m.text().includes('AudioContext was not allowed to start'), timeout: 15_000 });
    await page.goto(`${srv.url}/display/?office=kupang`);
    await refused;
    const prompt = page.getByTestId('sound-prompt');
    await expect.poll(() => prompt.count(), WAIT).toBe(1);
    expect(await prompt.textContent()).toContain('Aktifkan suara');
    await checkScreen(page, 'display-sound-prompt', { rules: TV });

    await issue('informasi');
    const number = await callNext('4');
    await expect.poll(() => currentNumber(page), WAIT).toBe(number);
    // Held back, not lost: queued while sound is blocked, and nothing played (a clip is recorded when it ends).
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([callClips(number, LOKET('4'))]);
    expect((await audio(page))?.state).toBe('blocked');
    expect((await audio(page))?.played).toEqual([]);

    // A real touch: the prompt goes away as the finger comes down (any touch or key unlocks sound).
    const box = (await prompt.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => prompt.count(), WAIT).toBe(0);
    await expect.poll(async () => (await audio(page))?.played, { timeout: 15_000 }).toEqual(callClips(number, LOKET('4')));
    expect(await page.evaluate(() => localStorage.getItem('giliran.display.soundAsked'))).toBe('1');

    // After a restart the browser again needs a touch, but this screen asked before: only a small button shows.
    const refusedAgain = page.waitForEvent('console', { predicate: (m) => m.text().includes('AudioContext was not allowed to start'), timeout: 15_000 });
    await page.reload();
    await refusedAgain;
    await expect.poll(() => prompt.count(), WAIT).toBe(1);
    expect(await page.locator('.sound-prompt').count()).toBe(0);
    expect(await page.locator('.sound-small').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('announces once a call made while it was briefly cut off, and none of the older ones', async () => {
    const page = await openDisplay(browser, '');
    await soundRunning(page);
    await expect.poll(() => page.locator('[data-online="true"]').count(), WAIT).toBe(1);
    const before = await currentNumber(page);

    // The server drops the TV's socket (as after a revoke or a restart of the realtime layer);
    // the TV comes back by itself two seconds later, and a call falls into that gap.
    srv.giliran.io.of('/display').disconnectSockets();
    await issue('kk');
    const missed = await callNext('2');
    expect(missed).not.toBe(before);
    await expect.poll(() => currentNumber(page), WAIT).toBe(missed);
    await expect.poll(async () => (await audio(page))?.queued, WAIT).toEqual([callClips(missed, LOKET('2'))]);
    await page.context().close();
  });

  it('reloads itself at the profile\'s quiet hour (office time)', async () => {
    // The quiet hour is two minutes from now in Kupang (WITA); the page's clock is then run forward.
    const at = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Makassar', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.now() + 120_000);
    await srv.giliran.store.config.update((draft) => {
      const office = draft.offices.find((o) => o.id === 'kupang')!;
      office.displays.push({ ...office.displays[1]!, id: 'reload-test', reloadAt: at });
    });
    const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
    await context.clock.install();
    const page = await context.newPage();
    let loads = 0;
    page.on('framenavigated', (f) => void (f === page.mainFrame() && (loads += 1)));
    await page.goto(`${srv.url}/display/?office=kupang&profile=reload-test`);
    await expect.poll(() => page.locator('.screen[data-profile="reload-test"]').count(), WAIT).toBe(1);
    expect(loads).toBe(1);
    await page.clock.runFor(30_000);
    expect(loads).toBe(1); // not yet
    await page.clock.runFor(3 * 60_000);
    await expect.poll(() => loads, WAIT).toBe(2);
    await context.close();
  });

  it('shows the offline mark within 5 s when the network goes, and clears it when it is back', async () => {
    const page = await openDisplay(browser, '');
    await expect.poll(() => page.locator('.screen').count(), WAIT).toBe(1);
    await expect.poll(() => page.getByTestId('offline-mark').count(), WAIT).toBe(0);
    const t0 = Date.now();
    await page.context().setOffline(true);
    await expect.poll(() => page.getByTestId('offline-mark').count(), { timeout: 5_000, interval: 100 }).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await page.getByTestId('offline-mark').textContent()).toContain('Terputus');
    await screenshot(page, 'display-offline');
    await page.context().setOffline(false);
    await expect.poll(() => page.getByTestId('offline-mark').count(), { timeout: 10_000 }).toBe(0);
    await page.context().close();
  });
});

describe('pairing a TV that is not on the server machine', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startServer({ settings: { trustLoopbackDevices: false } });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('shows its pairing code large, starts once an admin approves it, and keeps its token', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true })).newPage();
    await page.goto(`${strict.url}/display/?office=kupang`);
    const codeEl = page.getByTestId('pairing-code');
    await expect.poll(() => codeEl.count(), { timeout: 10_000 }).toBe(1);
    const code = (await codeEl.textContent())!.trim();
    expect(code).toMatch(/^\d{6}$/);
    await checkScreen(page, 'display-pairing', { rules: TV });

    const admin = await login(strict.url, 'admin');
    const ok = await request(strict.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'kupang', name: 'TV ruang tunggu' }, cookie: admin });
    expect(ok.status).toBe(201);

    await expect.poll(() => page.getByText('Belum ada panggilan').count(), { timeout: 10_000 }).toBe(1);
    expect(await codeEl.count()).toBe(0);
    const token = await page.evaluate(() => localStorage.getItem('giliran.display.deviceToken'));
    expect(token).toBeTruthy();

    await page.reload();
    await expect.poll(() => page.getByText('Belum ada panggilan').count(), { timeout: 10_000 }).toBe(1);
    expect(await codeEl.count()).toBe(0);
    await page.context().close();
  });
});
