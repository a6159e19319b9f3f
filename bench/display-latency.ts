// How long a call takes from the counter's command acknowledgement to the
// number in the waiting-room TV's DOM, with several TVs open at once in real
// Chromium. Standalone: `npx tsx bench/display-latency.ts [--quick]
// [--calls N] [--displays N] [--gap MS] [--silent]` (needs `npx vite build` first). Prints p50 / p99
// of ack→DOM and send→DOM over every (call, display) pair; goal p99 ≤ 50 ms.
//
// The server runs as its own process (as in production) on a temp data folder;
// every TV page notes the instant the current number changes (a
// MutationObserver, in the page's own clock, corrected to this process's clock
// by a round-trip calibration) and reports it through a Playwright binding.
// Baseline: a plain Node Socket.IO client on the same namespace, no browser.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startChild, writeSettings, type ChildServer } from '../test/helpers/child-server.ts';
import type { QueueDelta } from '../protocol/model.ts';
import { connect, login, request } from '../test/helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'bench-display-123';
const argv = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes('--quick');
const CALLS = flag('calls', quick ? 30 : 200);
const DISPLAYS = flag('displays', quick ? 3 : 5);
/** Pause between calls, ms: an office calls every few seconds; this is busier. */
const GAP = flag('gap', quick ? 100 : 400);
const PROFILE = argv.includes('--silent') ? 'lorong' : 'ruang-tunggu';
const WARMUP = 5;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(quantile(s, 0.5)), p90: r(quantile(s, 0.9)), p99: r(quantile(s, 0.99)), max: r(s.at(-1) ?? NaN) };
}

/** Page clock minus this process's clock, from the round trip with the smallest delay. */
async function clockOffset(page: Page): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 15; i++) {
    const t1 = now();
    const tp = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t2 = now();
    if (t2 - t1 < best.rtt) best = { rtt: t2 - t1, offset: tp - (t1 + t2) / 2 };
  }
  return best.offset;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'display', 'index.html'))) throw new Error('build the pages first: npx vite build');
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-bench-display-'));
  let child: ChildServer | null = null;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      // Several TVs in one browser: none of them may be throttled as a background tab.
      '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows',
    ],
  });
  try {
    child = await startChild({
      GILIRAN_DATA: path.join(dir, 'data'),
      GILIRAN_DEMO_PASSWORD: PASSWORD,
      GILIRAN_CONFIG: await writeSettings(dir, { ticketsPerDevicePerMinute: 100_000, logLevel: 'warn' }),
    });
    const base = child.url;
    const cookie = await login(base, 'petugas4', PASSWORD);

    // Each TV reports (number, page time) when its current number changes.
    const seen = new Map<string, Map<number, number>>();
    const waiters = new Set<() => void>();
    const pages: Array<{ page: Page; offset: number }> = [];
    for (let d = 0; d < DISPLAYS; d++) {
      const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      await ctx.exposeBinding('__benchSeen', (_src, number: string, t: number) => {
        let m = seen.get(number);
        if (!m) seen.set(number, (m = new Map()));
        if (!m.has(d)) m.set(d, t);
        for (const w of waiters) w();
      });
      await ctx.addInitScript(() => {
        let last = '';
        new MutationObserver(() => {
          const el = document.querySelector('[data-testid="current-number"]');
          const text = el?.textContent ?? '';
          if (text && text !== last) {
            last = text;
            (window as unknown as { __benchSeen(n: string, t: number): void }).__benchSeen(text, performance.timeOrigin + performance.now());
          }
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      const page = await ctx.newPage();
      await page.goto(`${base}/display/?office=kupang&profile=${PROFILE}`);
      await page.waitForSelector('.screen[data-online="true"]', { timeout: 60_000 });
      pages.push({ page, offset: 0 });
    }
    // Baseline: a plain Node Socket.IO client on the same namespace (no browser, no rendering).
    const plain = connect(base, 'display');
    const plainSeen = new Map<string, number>();
    plain.on('delta', (d: QueueDelta) => {
      const t = now();
      for (const e of d.events) {
        if (e.type !== 'ticket_called') continue;
        const number = d.tickets.find((x) => x.id === e.ticketId)?.number;
        if (number) plainSeen.set(number, t);
      }
    });
    await sleep(1000);
    for (const p of pages) p.offset = await clockOffset(p.page);

    const allSeen = (number: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if ((seen.get(number)?.size ?? 0) >= DISPLAYS) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${number} did not reach every display in 10 s (${seen.get(number)?.size ?? 0}/${DISPLAYS})`));
        }, 10_000);
        waiters.add(check);
        check();
      });

    const ackToDom: number[] = [];
    const sendToDom: number[] = [];
    const ackTimes: number[] = [];
    const ackToPlain: number[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const issued = await request(base, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'informasi' } });
      if (issued.status !== 201) throw new Error(`issue: ${issued.status} ${JSON.stringify(issued.body)}`);
      await request(base, 'POST', '/api/v1/offices/kupang/counters/4/finish', { body: { outcome: 'done' }, cookie });
      await sleep(20);
      const t0 = now();
      const r = await request(base, 'POST', '/api/v1/offices/kupang/counters/4/call-next', { body: {}, cookie });
      const tAck = now();
      if (r.status !== 200) throw new Error(`call-next: ${r.status} ${JSON.stringify(r.body)}`);
      const number = r.body.ticket.number as string;
      await allSeen(number);
      if (i < WARMUP) continue;
      ackTimes.push(tAck - t0);
      const tPlain = plainSeen.get(number);
      if (tPlain !== undefined) ackToPlain.push(tPlain - tAck);
      plainSeen.clear();
      for (const [d, tPage] of seen.get(number)!) {
        const t = tPage - pages[d]!.offset;
        ackToDom.push(t - tAck);
        sendToDom.push(t - t0);
      }
      seen.delete(number);
      // Calls a few hundred ms apart, as in an office (and so the previous announcement is under way).
      await sleep(GAP);
    }

    const result = {
      bench: 'display-latency',
      displays: DISPLAYS,
      calls: CALLS,
      // Negative: the number was on screen before the HTTP answer reached the counter
      // (the server broadcasts, then acknowledges).
      ackToDomMs: summary(ackToDom),
      sendToDomMs: summary(sendToDom),
      commandAckMs: summary(ackTimes),
      ackToPlainClientMs: summary(ackToPlain),
      profile: PROFILE,
      gapMs: GAP,
      goal: 'ack→DOM p99 ≤ 50 ms',
      met: summary(ackToDom).p99 <= 50,
    };
    console.log(`display latency, ${DISPLAYS} TVs (profile ${PROFILE}) × ${CALLS} calls, ${GAP} ms apart (real Chromium, server in its own process; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores):`);
    console.log(`  counter ack → number in every TV's DOM: p50 ${result.ackToDomMs.p50} ms, p90 ${result.ackToDomMs.p90} ms, p99 ${result.ackToDomMs.p99} ms, max ${result.ackToDomMs.max} ms`);
    console.log(`  command sent → number in DOM:           p50 ${result.sendToDomMs.p50} ms, p99 ${result.sendToDomMs.p99} ms`);
    console.log(`  baseline, ack → delta at a plain Node client: p50 ${result.ackToPlainClientMs.p50} ms, p99 ${result.ackToPlainClientMs.p99} ms`);
    console.log(`  baseline, the command's own round trip:  p50 ${result.commandAckMs.p50} ms, p99 ${result.commandAckMs.p99} ms`);
    console.log(`  goal p99 ≤ 50 ms: ${result.met ? 'met' : 'NOT met'}`);
    console.log(JSON.stringify(result));
    plain.close();
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
