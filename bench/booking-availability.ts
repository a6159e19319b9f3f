// Slot availability with many bookings on the books: the public
// GET booking-slots of one service over the whole window, timed with 200
// bookings and with 20,000 (journals written before the server starts, so
// it replays them as after a restart). The answer reads per-slot counters
// only, so the two should be the same: ratio ≤ 1.5.
//   tsx bench/booking-availability.ts [--quick] [--large 20000] [--small 200] [--requests 300] [--rounds 3]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoOffices } from '../server/seed/demo-offices.ts';
import { codeOf, decideHold, slotsOn } from '../server/domain/booking.ts';
import { addDays } from '../server/domain/availability.ts';
import { applyCommit, emptyDay, type Commit } from '../server/domain/state.ts';
import { fmt, median, numFlag, p99, parseArgs, printSummary, quantile, request, round } from './support/lib.ts';
import { ANSWERS, BENCH_NOW, setPlaces, startBookingServer } from './support/booking-server.ts';

const args = parseArgs();
const large = numFlag(args, 'large', args.quick ? 4000 : 20_000);
const small = numFlag(args, 'small', 200);
const requests = numFlag(args, 'requests', args.quick ? 100 : 300);
const rounds = args.rounds ?? (args.quick ? 1 : 3);
const PLACES = 30;

/** Writes journals holding `n` confirmed bookings spread over the window's days, services and slots. */
async function writeBookings(dataDir: string, n: number): Promise<void> {
  const office = demoOffices()[0]!;
  office.services = office.services.map((s) => (s.booking ? { ...s, booking: { ...s.booking, places: PLACES } } : s));
  const services = office.services.filter((s) => s.booking?.enabled);
  const now = new Date(BENCH_NOW);
  const actor = { kind: 'citizen' as const, id: 'booking-holder' };
  let made = 0;
  const dir = path.join(dataDir, 'offices', 'kupang', 'days');
  await mkdir(dir, { recursive: true });
  for (let d = 1; d <= 14 && made < n; d++) {
    const day = addDays('2026-11-23', d);
    const state = emptyDay('kupang', day);
    const lines: string[] = [];
    for (const slot of slotsOn(office, day)) {
      for (const s of services) {
        for (let p = 0; p < PLACES && made < n; p++, made++) {
          const r = made.toString(30).padStart(6, '0').split('').map((c) => parseInt(c, 30));
          const out = decideHold(state, office, { service: s.id, subcase: s.subcases[0]!.id, slot: slot.start, nikHash: `bench-${made}`, nikLast4: '0001', name: 'Warga', reminders: false, channel: 'staff', answers: null, confirm: true, replaces: null, codes: [codeOf(day, r)] }, { weekOthers: 0, recentNoShows: 0 }, { now, actor });
          if (!out.ok) throw new Error(`seed hold refused: ${out.code}`);
          const c: Commit = { version: state.version + 1, ticketId: null, events: out.events };
          applyCommit(state, office, c);
          lines.push(JSON.stringify(c));
        }
      }
    }
    if (lines.length) await writeFile(path.join(dir, `${day}.jsonl`), `${lines.join('\n')}\n`);
  }
  if (made < n) throw new Error(`only ${made} places in the window`);
}

async function measure(n: number): Promise<number[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-bench-avail-'));
  try {
    // A first start seeds the configuration; the bookings go in before the second.
    const first = await startBookingServer(dataDir);
    await setPlaces(first.giliran, PLACES);
    await first.close();
    await writeBookings(dataDir, n);
    const srv = await startBookingServer(dataDir);
    try {
      const q = '/api/v1/offices/kupang/booking-slots?service=ktp-el';
      for (let i = 0; i < 20; i++) await request(srv.url, 'GET', q); // warm: days replayed, code paths hot
      const times: number[] = [];
      for (let i = 0; i < requests; i++) {
        const t0 = performance.now();
        const r = await request(srv.url, 'GET', q);
        times.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`slots: ${r.status}`);
      }
      return times;
    } finally {
      await srv.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const rows: Array<{ smallP50: number; smallP99: number; largeP50: number; largeP99: number }> = [];
for (let r = 0; r < rounds; r++) {
  const s = await measure(small);
  const l = await measure(large);
  const row = { smallP50: quantile(s, 0.5), smallP99: p99(s), largeP50: quantile(l, 0.5), largeP99: p99(l) };
  rows.push(row);
  console.log(`round ${r + 1}: ${small} bookings p50 ${fmt(row.smallP50)} ms p99 ${fmt(row.smallP99)} ms; ${large} bookings p50 ${fmt(row.largeP50)} ms p99 ${fmt(row.largeP99)} ms`);
}
const m = (k: keyof (typeof rows)[number]) => round(median(rows.map((x) => x[k])));
const ratioP50 = round(median(rows.map((x) => x.largeP50 / x.smallP50)));
const ratioP99 = round(median(rows.map((x) => x.largeP99 / x.smallP99)));
printSummary({
  config: { small, large, requests, rounds, daysPerRequest: 15 },
  small: { bookings: small, p50Ms: m('smallP50'), p99Ms: m('smallP99') },
  large: { bookings: large, p50Ms: m('largeP50'), p99Ms: m('largeP99') },
  ratios: { p50: ratioP50, p99: ratioP99 },
  goals: { p99AtMost10ms: m('largeP99') <= 10, ratioAtMost1_5: ratioP50 <= 1.5 },
});
