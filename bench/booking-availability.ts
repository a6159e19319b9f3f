// Slot availability with many bookings on the books: the public
// GET booking-slots of one service over the whole window, timed with 200
// bookings and with 20,000 (journals written before the server starts, so
// it replays them as after a restart). The answer reads per-slot counters
// only, so the two should be the same: ratio ≤ 1.5. The server runs in its
// own process (as in production); one client sends the GETs one after
// another over a kept-alive connection, and the same client GETs the same
// answer's bytes from a bare node:http server in its own process: the
// same-run baseline (what HTTP alone costs on this machine).
//   tsx bench/booking-availability.ts [--quick] [--large 20000] [--small 200] [--requests 1000] [--rounds 3]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoOffices } from '../server/seed/demo-offices.ts';
import { codeOf, decideHold, slotsOn } from '../server/domain/booking.ts';
import { addDays } from '../server/domain/availability.ts';
import { applyCommit, emptyDay, type Commit } from '../server/domain/state.ts';
import { fmt, machine, machineLine, median, numFlag, p99, parseArgs, printSummary, quantile, round } from './support/lib.ts';
import { BENCH_NOW, keepAlive, spawnBookingServer, spawnHttpEcho, timedRequest } from './support/booking-server.ts';

const args = parseArgs();
const large = numFlag(args, 'large', args.quick ? 4000 : 20_000);
const small = numFlag(args, 'small', 200);
const requests = numFlag(args, 'requests', args.quick ? 200 : 1000);
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

/** `requests` sequential GETs of `p` over one kept-alive connection (a phone's), after a warm-up: each request's ms. */
async function timeGets(url: string, p: string): Promise<number[]> {
  for (let i = 0; i < 50; i++) await timedRequest(url, 'GET', p, undefined, keepAlive); // warm: days replayed, code paths hot
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const r = await timedRequest(url, 'GET', p, undefined, keepAlive);
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${r.text.slice(0, 200)}`);
    times.push(r.ms);
  }
  return times;
}

const Q = '/api/v1/offices/kupang/booking-slots?service=ktp-el';

/** The app in its own process with `n` bookings on the books: the GETs' ms, and one answer's text. */
async function measure(n: number): Promise<{ times: number[]; answer: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-bench-avail-'));
  try {
    // A first start seeds the configuration (and the places); the bookings go in before the second.
    await (await spawnBookingServer(dataDir, { places: PLACES, label: `seed-${n}` })).stop();
    await writeBookings(dataDir, n);
    const srv = await spawnBookingServer(dataDir, { label: `avail-${n}` });
    try {
      const times = await timeGets(srv.url, Q);
      const answer = (await timedRequest(srv.url, 'GET', Q, undefined, keepAlive)).text;
      return { times, answer };
    } finally {
      await srv.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The bare node:http baseline in its own process, answering the same bytes to the same client. */
async function measureEcho(answer: string): Promise<number[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-bench-avail-echo-'));
  try {
    const file = path.join(dir, 'answer.json');
    await writeFile(file, answer);
    const echo = await spawnHttpEcho(file);
    try {
      return await timeGets(echo.url, Q);
    } finally {
      await echo.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(machineLine());
const rows: Array<{ smallP50: number; smallP99: number; largeP50: number; largeP99: number; echoP50: number; echoP99: number }> = [];
let bytes = 0;
for (let r = 0; r < rounds; r++) {
  const s = await measure(small);
  const l = await measure(large);
  const e = await measureEcho(l.answer);
  bytes = Buffer.byteLength(l.answer);
  const row = { smallP50: quantile(s.times, 0.5), smallP99: p99(s.times), largeP50: quantile(l.times, 0.5), largeP99: p99(l.times), echoP50: quantile(e, 0.5), echoP99: p99(e) };
  rows.push(row);
  console.log(`round ${r + 1}: ${small} bookings p50 ${fmt(row.smallP50)} ms p99 ${fmt(row.smallP99)} ms; ${large} bookings p50 ${fmt(row.largeP50)} ms p99 ${fmt(row.largeP99)} ms; echo of the same ${bytes} bytes p50 ${fmt(row.echoP50)} ms p99 ${fmt(row.echoP99)} ms`);
}
const m = (k: keyof (typeof rows)[number]) => round(median(rows.map((x) => x[k])));
const ratioP50 = round(median(rows.map((x) => x.largeP50 / x.smallP50)));
const ratioP99 = round(median(rows.map((x) => x.largeP99 / x.smallP99)));
printSummary({
  config: { small, large, requests, rounds, daysPerRequest: 15, answerBytes: bytes, server: 'own process', client: 'node:http, one kept-alive connection, sequential' },
  machine: machine(),
  small: { bookings: small, p50Ms: m('smallP50'), p99Ms: m('smallP99') },
  large: { bookings: large, p50Ms: m('largeP50'), p99Ms: m('largeP99') },
  echo: { p50Ms: m('echoP50'), p99Ms: m('echoP99') },
  ratios: { p50: ratioP50, p99: ratioP99, largeP99VsEcho: round(median(rows.map((x) => x.largeP99 / x.echoP99))) },
  goals: { p99AtMost10ms: m('largeP99') <= 10, ratioAtMost1_5: ratioP50 <= 1.5 },
});
