// How good the estimated wait is (issue 11; docs/eta.md). Replays simulated
// office days in-process through the pure domain (decide + applyCommit, no
// server): Poisson arrivals with a morning peak over opening hours (08:00–15:00
// WITA), log-normal service times per service, 4 counters (three serve two
// services each, one serves all), breaks and the midday prayer pausing
// counters, a few priority and booked tickets, and a clerk's walk-up between
// calls. At each issue the domain records the promised range (waitAtIssue) and
// the naive estimate (etaMinutesAtIssue: people ahead for the service × mean
// service time ÷ counters serving it); at the first call both are compared with
// the real wait (server/domain/eta-accuracy.ts, the same score the endpoint
// and the reports publish). Seeded: the same run gives the same figures.
//
//   tsx bench/eta-accuracy.ts [--quick] [--days N] [--seed S]
import type { Command } from '../protocol/commands.ts';
import type { Actor, OfficeConfig } from '../protocol/model.ts';
import { decide } from '../server/domain/commands.ts';
import { arrivalProfileOf, CACHE_MS, normal, rng, positions, rangeForNewTicket, runsFor, rangesForNewTickets, type ArrivalProfile, type PastDay } from '../server/domain/eta.ts';
import { etaForNewTicket } from '../server/domain/routing.ts';
import { emptyTally, etaTallies, figuresOf, mergeTally, type EtaTally } from '../server/domain/eta-accuracy.ts';
import { applyCommit, counterOf, emptyDay, type Commit, type DayState } from '../server/domain/state.ts';
import { demoOffices } from '../server/seed/demo-offices.ts';
import { numFlag, parseArgs } from './support/lib.ts';

const args = parseArgs();
const DAYS = numFlag(args, 'days', args.quick ? 3 : 25);
const SEED = numFlag(args, 'seed', 20261202);
/** Past days the office remembers (their arrivals by time of day: the estimate's shape of the day); 0 = today's arrivals only. */
const HISTORY = numFlag(args, 'history', 10);


/** Service mix (share of arrivals) and log-normal service time (median minutes, sigma). */
const SERVICES: Record<string, { share: number; median: number; sigma: number }> = {
  'ktp-el': { share: 0.34, median: 6, sigma: 0.5 },
  kk: { share: 0.2, median: 8, sigma: 0.5 },
  akta: { share: 0.12, median: 9, sigma: 0.6 },
  kia: { share: 0.08, median: 4, sigma: 0.4 },
  'pindah-datang': { share: 0.06, median: 12, sigma: 0.6 },
  'perubahan-data': { share: 0.08, median: 8, sigma: 0.5 },
  informasi: { share: 0.12, median: 2, sigma: 0.7 },
};
const COUNTERS = ['1', '2', '3', '4'];
/** Pauses (local time, minutes from midnight): breaks and the midday (dzuhur) prayer, staggered so the office never closes. */
const PAUSES: Array<{ counter: string; from: number; minutes: number; reason: 'break' | 'prayer' }> = [
  { counter: '1', from: 10 * 60, minutes: 15, reason: 'break' },
  { counter: '2', from: 10 * 60 + 20, minutes: 15, reason: 'break' },
  { counter: '3', from: 10 * 60 + 40, minutes: 15, reason: 'break' },
  { counter: '1', from: 12 * 60, minutes: 20, reason: 'prayer' },
  { counter: '2', from: 12 * 60, minutes: 20, reason: 'prayer' },
  { counter: '3', from: 12 * 60 + 20, minutes: 20, reason: 'prayer' },
  { counter: '4', from: 12 * 60 + 20, minutes: 20, reason: 'prayer' },
];
const OPEN = 8 * 60;
const CLOSE = 15 * 60;
/** The day is cut here: tickets still waiting are not counted (they were never called). */
const CUT = 17 * 60;
const DAY = '2027-01-04'; // a Monday
const UTC_OFFSET_MIN = 8 * 60; // Asia/Makassar
const STEP_S = 5;

interface Scenario {
  name: 'busy' | 'light';
  /** Expected arrivals over the day. */
  arrivals: number;
}
const SCENARIOS: Scenario[] = [
  { name: 'busy', arrivals: 190 },
  { name: 'light', arrivals: 90 },
];

/** Arrival rate shape over the opening hours: a morning peak around 09:15. */
function shape(minute: number): number {
  const h = minute / 60;
  return 1 + 1.8 * Math.exp(-(((h - 9.25) / 0.9) ** 2));
}
const SHAPE_MEAN = (() => {
  let s = 0;
  for (let m = OPEN; m < CLOSE; m++) s += shape(m);
  return s / (CLOSE - OPEN);
})();

function clerk(n: string): Actor {
  return { kind: 'user', id: `petugas${n}`, name: `Petugas ${n}`, role: 'clerk' };
}

interface DayResult {
  commits: Commit[];
  past: PastDay;
  issued: number;
  uncalled: number;
  priority: number;
  booked: number;
}

function simulateDay(office: OfficeConfig, sc: Scenario, seed: number, profile: ArrivalProfile | null): DayResult {
  const r = rng(seed);
  const state: DayState = emptyDay(office.id, DAY);
  if (profile) state.arrivalProfile = profile;
  const commits: Commit[] = [];
  let now = Date.parse(`${DAY}T00:00:00.000Z`) + (OPEN - UTC_OFFSET_MIN) * 60_000 - 10 * 60_000;
  const run = (cmd: Command, actor: Actor) => {
    const d = decide(state, office, cmd, { now: new Date(now), actor });
    if (d.ok && !d.replayed) {
      applyCommit(state, office, d.commit);
      commits.push(d.commit);
    }
    return d;
  };
  for (const c of COUNTERS) {
    const d = run({ type: 'sign_in', counterId: c }, clerk(c));
    if (!d.ok) throw new Error(`sign_in ${c}: ${d.code}`);
  }
  const kiosk: Actor = { kind: 'device', id: 'kiosk-1', name: 'Kiosk 1' } as Actor;
  const names = Object.keys(SERVICES);
  const pick = (): string => {
    let x = r();
    for (const n of names) if ((x -= SERVICES[n]!.share) <= 0) return n;
    return names[0]!;
  };
  const serviceMs = (sid: string): number => {
    const s = SERVICES[sid]!;
    return Math.max(30_000, s.median * 60_000 * Math.exp(s.sigma * normal(r)));
  };
  /** Per counter: when its ticket is finished, or when it next looks for one (walk-up), or its pause ends. */
  const busyUntil = new Map<string, number>(COUNTERS.map((c) => [c, 0]));
  const pausedUntil = new Map<string, number>();
  const pauseDone = new Set<number>();
  let issued = 0;
  let priority = 0;
  let booked = 0;
  const localMin = () => (now - Date.parse(`${DAY}T00:00:00.000Z`)) / 60_000 + UTC_OFFSET_MIN;
  now += 10 * 60_000;
  for (; localMin() < CUT; now += STEP_S * 1000) {
    const m = localMin();
    // Arrivals: Poisson, thinned to the day's shape.
    if (m < CLOSE) {
      const lambda = ((sc.arrivals / (CLOSE - OPEN)) * (shape(m) / SHAPE_MEAN) * STEP_S) / 60;
      let k = 0;
      for (let p = Math.exp(-lambda), u = r(); u > p; u *= r()) k++;
      for (let i = 0; i < k; i++) {
        const service = pick();
        const isPrio = r() < 0.04;
        const isBooked = !isPrio && service !== 'informasi' && r() < 0.06;
        const slot = isBooked ? new Date(Math.ceil((now + 5 * 60_000) / (15 * 60_000)) * 15 * 60_000).toISOString() : null;
        const d = run({ type: 'issue', service, source: isBooked ? 'booking' : 'kiosk', priority: isPrio ? 'elderly' : null, ...(slot ? { bookingSlot: slot } : {}) }, kiosk);
        if (!d.ok) throw new Error(`issue ${service}: ${d.code}`);
        issued++;
        if (isPrio) priority++;
        if (isBooked) booked++;
      }
    }
    for (const c of COUNTERS) {
      if (now < busyUntil.get(c)!) continue;
      const who = clerk(c);
      const cs = counterOf(state, office, c)!;
      if (cs.ticketId) {
        const d = run({ type: 'finish', counterId: c, outcome: 'done' }, who);
        if (!d.ok) throw new Error(`finish ${c}: ${d.code}`);
        // The clerk takes a moment before calling the next one.
        busyUntil.set(c, now + (10 + 40 * r()) * 1000);
        continue;
      }
      if (cs.paused) {
        if (now >= (pausedUntil.get(c) ?? 0)) {
          const d = run({ type: 'resume', counterId: c }, who);
          if (!d.ok) throw new Error(`resume ${c}: ${d.code}`);
        } else continue;
      }
      const due = PAUSES.findIndex((p, i) => p.counter === c && !pauseDone.has(i) && m >= p.from);
      if (due >= 0) {
        pauseDone.add(due);
        const p = PAUSES[due]!;
        const d = run({ type: 'pause', counterId: c, reason: p.reason, note: null }, who);
        if (!d.ok) throw new Error(`pause ${c}: ${d.code}`);
        pausedUntil.set(c, now + p.minutes * 60_000);
        continue;
      }
      const d = run({ type: 'call_next', counterId: c }, who);
      if (d.ok) {
        const t = state.tickets.get(counterOf(state, office, c)!.ticketId!)!;
        // The citizen walks up (called → served), then the service itself.
        busyUntil.set(c, now + (20 + 40 * r()) * 1000 + serviceMs(t.serviceId));
      } else if (d.code !== 'queue_empty') throw new Error(`call_next ${c}: ${d.code}`);
    }
  }
  const uncalled = [...state.tickets.values()].filter((t) => t.state === 'waiting').length;
  return { commits, past: { tickets: [...state.tickets.values()], events: commits.flatMap((c) => c.events) }, issued, uncalled, priority, booked };
}

interface Figures {
  calls: number;
  meanWaitMin: number | null;
  maeMin: number | null;
  maePct: number | null;
  naiveMaeMin: number | null;
  naiveMaePct: number | null;
  ratioToNaive: number | null;
  insideShare: number | null;
}
function figures(t: EtaTally): Figures {
  const f = figuresOf(t);
  const mean = t.calls ? t.waitMin / t.calls : null;
  const mae = t.ranged ? t.rangeAbsErrMin / t.ranged : null;
  const naive = t.calls ? t.pointAbsErrMin / t.calls : null;
  const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  return {
    calls: t.calls,
    meanWaitMin: r1(mean),
    maeMin: r1(mae),
    maePct: f.maePercent,
    naiveMaeMin: r1(naive),
    naiveMaePct: naive !== null && mean ? r1((100 * naive) / mean) : null,
    ratioToNaive: mae !== null && naive ? Math.round((mae / naive) * 100) / 100 : null,
    insideShare: f.insideShare,
  };
}

/** Mean signed error of the range's middle (real − promised), minutes, and per hour of issue: where the estimate leans. */
function bias(commits: readonly Commit[], into: { n: number; sum: number; byHour: Map<number, { n: number; sum: number; wait: number }> }): void {
  const issued = new Map<string, { at: number; mid: number }>();
  const seen = new Set<string>();
  for (const c of commits) {
    for (const e of c.events) {
      if (e.type === 'ticket_issued' && e.ticket.waitAtIssue) issued.set(e.ticket.id, { at: Date.parse(e.ticket.issuedAt), mid: (e.ticket.waitAtIssue.low + e.ticket.waitAtIssue.high) / 2 });
      else if (e.type === 'ticket_called' && !seen.has(e.ticketId)) {
        seen.add(e.ticketId);
        const t = issued.get(e.ticketId);
        if (!t) continue;
        const wait = (Date.parse(e.at) - t.at) / 60_000;
        into.n++;
        into.sum += wait - t.mid;
        const h = new Date(t.at + UTC_OFFSET_MIN * 60_000).getUTCHours();
        const b = into.byHour.get(h) ?? { n: 0, sum: 0, wait: 0 };
        b.n++;
        b.sum += wait - t.mid;
        b.wait += wait;
        into.byHour.set(h, b);
      }
    }
  }
}

/**
 * What an estimate costs: a day state with `waiting` tickets waiting (the
 * service mix above, the four counters each serving one, 10:00 WITA, the busy
 * scenario's past days known), then per call the median µs of the kiosk's
 * estimate for one new ticket (rangeForNewTicket, one per issue), the phones'
 * positions of every waiting ticket and the screens' ranges for every service
 * (each computed afresh: the cache is skipped by moving the clock a cache
 * stretch per call), beside the naive estimate in the same run.
 */
function cost(office: OfficeConfig, profile: ArrivalProfile, waiting: number): Record<string, number> {
  const r = rng(7);
  const state: DayState = emptyDay(office.id, DAY);
  state.arrivalProfile = profile;
  let now = Date.parse(`${DAY}T00:00:00.000Z`) + (10 * 60 - UTC_OFFSET_MIN) * 60_000 - waiting * 2000;
  const run = (cmd: Command, actor: Actor) => {
    const d = decide(state, office, cmd, { now: new Date(now), actor });
    if (!d.ok) throw new Error(`${cmd.type}: ${d.code}`);
    if (!d.replayed) applyCommit(state, office, d.commit);
    now += 2000;
  };
  const names = Object.keys(SERVICES);
  const kiosk: Actor = { kind: 'device', id: 'kiosk-1', name: 'Kiosk 1' } as Actor;
  for (const c of COUNTERS) run({ type: 'sign_in', counterId: c }, clerk(c));
  for (let i = 0; i < waiting + COUNTERS.length; i++) {
    let x = r();
    const service = names.find((n) => (x -= SERVICES[n]!.share) <= 0) ?? names[0]!;
    run({ type: 'issue', service, source: 'kiosk', priority: r() < 0.04 ? 'elderly' : null }, kiosk);
  }
  for (const c of COUNTERS) run({ type: 'call_next', counterId: c }, clerk(c));
  /** Median and fastest µs per call. */
  const time = (n: number, f: (i: number) => void): [number, number] => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      f(i);
      xs.push((performance.now() - t0) * 1000);
    }
    xs.sort((a, b) => a - b);
    return [Math.round(xs[xs.length >> 1]!), Math.round(xs[0]!)];
  };
  const n = waiting >= 300 ? 21 : 60;
  const [naiveUs, naiveMinUs] = time(n * 10, (i) => etaForNewTicket(state, office, names[i % names.length]!));
  const [newTicketUs, newTicketMinUs] = time(n, (i) => rangeForNewTicket(state, office, names[i % names.length]!, now + i * 1000));
  const [positionsUs, positionsMinUs] = time(n, (i) => positions(state, office, now + (i + 1) * CACHE_MS));
  const [allServicesUs, allServicesMinUs] = time(n, (i) => rangesForNewTickets(state, office, now + (i + 1) * CACHE_MS));
  return { waiting: state.waiting.size, naiveUs, naiveMinUs, newTicketUs, newTicketMinUs, positionsUs, positionsMinUs, allServicesUs, allServicesMinUs };
}

function main(): void {
  const t0 = performance.now();
  const office = demoOffices()[0]!;
  const overall = emptyTally();
  const out: Record<string, Figures & { services?: Array<{ serviceId: string } & Figures>; biasMin: number; days: number; issuedPerDay: number; uncalled: number; priority: number; booked: number }> = {};
  console.log(`eta-accuracy: ${DAYS} simulated days per scenario, seed ${SEED}, ${HISTORY ? `${HISTORY} past days' arrivals known` : "today's arrivals only"}, office ${office.id}, counters ${office.counters.map((c) => `${c.id}:${c.services.length}`).join(' ')}`);
  for (const [si, sc] of SCENARIOS.entries()) {
    const tally = emptyTally();
    let issued = 0;
    let uncalled = 0;
    let priority = 0;
    let booked = 0;
    const perService = new Map<string, EtaTally>();
    const b = { n: 0, sum: 0, byHour: new Map<number, { n: number; sum: number; wait: number }>() };
    // The office's past: HISTORY days before the first one counted (other seeds), then each counted day joins it.
    const past: PastDay[] = [];
    for (let h = HISTORY; h > 0; h--) past.push(simulateDay(office, sc, SEED + si * 100_003 - h * 7919, null).past);
    for (let d = 0; d < DAYS; d++) {
      const profile = HISTORY > 0 ? arrivalProfileOf(past.slice(-HISTORY), office.timeZone) : null;
      const day = simulateDay(office, sc, SEED + si * 100_003 + d * 7919, profile);
      past.push(day.past);
      const tallies = etaTallies(day.commits);
      mergeTally(tally, tallies.total);
      for (const [sid, t] of tallies.services) {
        if (!perService.has(sid)) perService.set(sid, emptyTally());
        mergeTally(perService.get(sid)!, t);
      }
      bias(day.commits, b);
      issued += day.issued;
      uncalled += day.uncalled;
      priority += day.priority;
      booked += day.booked;
    }
    mergeTally(overall, tally);
    const f = figures(tally);
    const hours = [...b.byHour].sort((x, y) => x[0] - y[0]).map(([h, v]) => `${h}h ${Math.round(v.wait / v.n)}/${v.sum >= 0 ? '+' : ''}${Math.round(v.sum / v.n)}`);
    out[sc.name] = { ...f, biasMin: Math.round((b.sum / Math.max(1, b.n)) * 10) / 10, days: DAYS, issuedPerDay: Math.round(issued / DAYS), uncalled, priority, booked };
    console.log(
      `  ${sc.name.padEnd(5)} ${f.calls} calls (${Math.round(issued / DAYS)}/day, ${priority} priority, ${booked} booked, ${uncalled} never called): mean wait ${f.meanWaitMin} min; range MAE ${f.maeMin} min = ${f.maePct} %, naive MAE ${f.naiveMaeMin} min = ${f.naiveMaePct} % (ratio ${f.ratioToNaive}); inside ${((f.insideShare ?? 0) * 100).toFixed(1)} %`,
    );
    const svc = [...perService].map(([sid, t]) => ({ serviceId: sid, ...figures(t) }));
    out[sc.name]!.services = svc;
    console.log(`        per service (calls, mean wait, range MAE %, inside): ${svc.map((x) => `${x.serviceId} ${x.calls} ${x.meanWaitMin}m ${x.maePct}% ${((x.insideShare ?? 0) * 100).toFixed(0)}%`).join('; ')}`);
    console.log(`        bias (real − middle of range) ${out[sc.name]!.biasMin} min; by hour of issue, mean wait/bias: ${hours.join(', ')}`);
  }
  const all = figures(overall);
  console.log(`  overall ${all.calls} calls: mean wait ${all.meanWaitMin} min; range MAE ${all.maeMin} min = ${all.maePct} %, naive ${all.naiveMaeMin} min = ${all.naiveMaePct} % (ratio ${all.ratioToNaive}); inside ${((all.insideShare ?? 0) * 100).toFixed(1)} %`);
  const goals = {
    maeAtMost25PctOfWait: all.maePct !== null && all.maePct <= 25,
    maeAtMost0_8xNaive: all.ratioToNaive !== null && all.ratioToNaive <= 0.8,
    insideAtLeast70Pct: all.insideShare !== null && all.insideShare >= 0.7,
  };
  // The cost of one estimate, at 30 and 300 waiting.
  const costs: Array<Record<string, number>> = [];
  {
    const past: PastDay[] = [];
    for (let h = 1; h <= 10; h++) past.push(simulateDay(office, SCENARIOS[0]!, SEED - 1 - h * 7919, null).past);
    const profile = arrivalProfileOf(past, office.timeZone);
    for (const w of [30, 300]) costs.push(cost(office, profile, w));
    for (const c of costs) console.log(`  cost at ${c.waiting} waiting (${runsFor(c.waiting!)} runs, µs per call, median (fastest)): new ticket ${c.newTicketUs} (${c.newTicketMinUs}), positions of all ${c.positionsUs} (${c.positionsMinUs}), every service's new ticket ${c.allServicesUs} (${c.allServicesMinUs}); naive ${c.naiveUs} (${c.naiveMinUs})`);
  }
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  console.log(`  goals: MAE ≤ 25 % ${goals.maeAtMost25PctOfWait ? 'met' : 'NOT MET'}, ≤ 0.8× naive ${goals.maeAtMost0_8xNaive ? 'met' : 'NOT MET'}, ≥ 70 % inside ${goals.insideAtLeast70Pct ? 'met' : 'NOT MET'} (${seconds} s)`);
  console.log(JSON.stringify({ bench: 'eta-accuracy', config: { days: DAYS, seed: SEED, history: HISTORY, quick: args.quick, scenarios: SCENARIOS }, scenarios: out, overall: all, goals, costs, seconds }));
}

main();
