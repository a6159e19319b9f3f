// Does the waiting-room TV's memory grow with the number of calls? Drives
// 10,000 real calls (issue → call next → finish, over four counters) into one
// display page in real Chromium and reads its JS heap after a forced garbage
// collection, before and after, plus DOM nodes and event listeners.
// Standalone: `npx tsx bench/display-memory.ts [--quick] [--calls N]` (needs
// `npx vite build` first). Goal: heap growth ≤ 5 MB.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { startChild, writeSettings, type ChildServer } from '../test/helpers/child-server.ts';
import { login, request } from '../test/helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'bench-display-123';
const argv = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes('--quick');
const CALLS = flag('calls', quick ? 1_000 : 10_000);
const WARMUP = 200;
/** Counters and the service each one calls (their first service in the demo office). */
const COUNTERS: Array<[string, string]> = [['1', 'ktp-el'], ['2', 'kk'], ['3', 'akta'], ['4', 'informasi']];

interface Reading {
  heapUsedMB: number;
  nodes: number;
  listeners: number;
  historyRows: number;
  audioQueued: number;
  audioPlayed: number;
}

async function read(page: Page, cdp: CDPSession): Promise<Reading> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (n: string) => metrics.find((m) => m.name === n)?.value ?? NaN;
  const page_ = await page.evaluate(() => ({
    historyRows: document.querySelectorAll('[data-testid="history-item"]').length,
    audioQueued: window.__giliranAudio?.queued.length ?? 0,
    audioPlayed: window.__giliranAudio?.played.length ?? 0,
  }));
  return { heapUsedMB: Math.round((heap.usedSize / 1048576) * 100) / 100, nodes: metric('Nodes'), listeners: metric('JSEventListeners'), ...page_ };
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'display', 'index.html'))) throw new Error('build the pages first: npx vite build');
  // Journal on tmpfs when there is one: this measures the page, not the disk.
  const tmpRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(path.join(tmpRoot, 'giliran-bench-display-mem-'));
  let child: ChildServer | null = null;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
  });
  try {
    child = await startChild({
      GILIRAN_DATA: path.join(dir, 'data'),
      GILIRAN_DEMO_PASSWORD: PASSWORD,
      GILIRAN_CONFIG: await writeSettings(dir, { ticketsPerDevicePerMinute: 1_000_000, logLevel: 'warn' }),
    });
    const base = child.url;
    const cookies = new Map<string, string>();
    for (const [c] of COUNTERS) cookies.set(c, await login(base, `petugas${c}`, PASSWORD));

    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await page.goto(`${base}/display/?office=kupang&profile=ruang-tunggu`);
    await page.waitForSelector('.screen[data-online="true"]', { timeout: 60_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');

    let done = 0;
    let last = '';
    const drive = async (total: number) => {
      const target = done + total;
      await Promise.all(
        COUNTERS.map(async ([counter, service]) => {
          const cookie = cookies.get(counter)!;
          while (done < target) {
            await request(base, 'POST', '/api/v1/offices/kupang/tickets', { body: { service } });
            await request(base, 'POST', `/api/v1/offices/kupang/counters/${counter}/finish`, { body: { outcome: 'done' }, cookie });
            const r = await request(base, 'POST', `/api/v1/offices/kupang/counters/${counter}/call-next`, { body: {}, cookie });
            if (r.status === 200) {
              done += 1;
              last = r.body.ticket.number as string;
              if (done % 1000 === 0) process.stdout.write(`  ${done} calls\n`);
            }
          }
        }),
      );
      // The page has caught up when it shows the last call.
      await page.waitForFunction((n) => document.querySelector('[data-testid="current-number"]')?.textContent === n, last, { timeout: 60_000 });
    };

    await drive(WARMUP);
    await new Promise((r) => setTimeout(r, 1000));
    const before = await read(page, cdp);
    const t0 = Date.now();
    await drive(CALLS);
    const seconds = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const after = await read(page, cdp);
    const growth = Math.round((after.heapUsedMB - before.heapUsedMB) * 100) / 100;

    console.log(`display memory, ${CALLS} calls into one TV page (after ${WARMUP} warm-up calls; ${Math.round(CALLS / seconds)} calls/s):`);
    console.log(`  JS heap after GC: before ${before.heapUsedMB} MB, after ${after.heapUsedMB} MB, growth ${growth} MB (goal ≤ 5 MB: ${growth <= 5 ? 'met' : 'NOT met'})`);
    console.log(`  DOM nodes ${before.nodes} → ${after.nodes}; JS event listeners ${before.listeners} → ${after.listeners}`);
    console.log(`  history rows ${before.historyRows} → ${after.historyRows}; audio trace queued ${before.audioQueued} → ${after.audioQueued}, played ${before.audioPlayed} → ${after.audioPlayed}`);
    console.log(JSON.stringify({ bench: 'display-memory', calls: CALLS, before, after, heapGrowthMB: growth, goal: 'growth ≤ 5 MB', met: growth <= 5 }));
  } finally {
    await browser.close();
    await child?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
