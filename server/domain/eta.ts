// The estimated wait, as a range (issue 11). Pure: time comes in, the
// randomness is seeded by constants (the same state and instant give the same
// answer), nothing is mutated.
//
// Model (docs/eta.md): Monte Carlo runs of the office from now on. Each run
// has the counters that serve now (a paused one comes back after the usual
// length of its pause) call tickets in the order "call next" really uses
// (protocol/rules.ts nextFor: precedence, due bookings, the priority ratio per
// counter, the counter's service order, FIFO) — the tickets waiting now AND
// the tickets that will still arrive: Poisson arrivals per service following
// past days' shape of the day (state.arrivalProfile) scaled to today's level,
// or without past days the rate of today's last hour for two hours. A ticket
// of a service a counter lists second waits behind later arrivals of the first
// one: only arrivals can show that. The counters take one past day's pauses;
// each call keeps a counter busy for a service time drawn from a log-normal
// fitted to the service's recent times (past days' fit as the prior), plus
// the measured hand-over between calls. A ticket's range is a quantile pair
// (ETA_Q_LOW–ETA_Q_HIGH) of its call times over the runs, in whole minutes.
import type { CounterState, OfficeConfig, PauseReason, QueueEvent, Ticket } from '../../protocol/model.ts';
import { periodsOn, zonedInstant } from './availability.ts';
import { allCounters, leadOf, upperBound, type DayState } from './state.ts';
import { localParts } from './time.ts';

/** Whole minutes, 0 <= low <= high. */
export interface WaitRange {
  low: number;
  high: number;
}

export interface Position {
  /** People waiting now whom the queue will call before this ticket, at the counters that may call it (median over the runs). */
  ahead: number;
  wait: WaitRange;
}

/** What a ticket issued now would be (rangeForNewTicket). */
export interface NewTicketOptions {
  priority?: boolean;
  /** Booking slot start, ms; a booking is due (called before others) from then. */
  bookingSlot?: number | null;
}

// ---------------------------------------------------------------- tuning (see bench/eta-accuracy.ts, docs/eta.md)

/**
 * Simulated runs per estimate: ETA_RUNS up to FULL_RUNS_UP_TO waiting, then
 * fewer as each run gets longer (the spread of a long wait is wide anyway):
 * ETA_RUNS × FULL_RUNS_UP_TO ÷ waiting but at least 8 up to 300 waiting, and
 * beyond that (a stress case, not an office) 1200 ÷ waiting but at least 1,
 * so that an estimate's cost stops growing with the square of the queue.
 */
export const ETA_RUNS = 24;
const FULL_RUNS_UP_TO = 60;
export function runsFor(waiting: number): number {
  if (waiting <= FULL_RUNS_UP_TO) return ETA_RUNS;
  if (waiting <= 300) return Math.max(8, Math.floor((ETA_RUNS * FULL_RUNS_UP_TO) / waiting));
  return Math.max(1, Math.floor(1200 / waiting));
}
/** The range: these quantiles of the simulated call times. */
export const ETA_Q_LOW = 0.15;
export const ETA_Q_HIGH = 0.85;
/** Arrival rate: tickets issued in this last stretch of the day (shorter just after opening, never under the minimum). */
export const ARRIVAL_WINDOW_MINUTES = 60;
const MIN_ARRIVAL_WINDOW_MINUTES = 20;
/** Without past days, arrivals are simulated this far ahead only. */
const NO_HISTORY_HORIZON_MINUTES = 120;
/** No run simulates more arrivals than this (a burst of issues must not make an estimate slow); without past days fewer. */
const MAX_ARRIVALS_PER_RUN = 250;
const MAX_ARRIVALS_NO_HISTORY = 100;
/** Log-normal spread (σ of the log) assumed for a service with no times measured, and its weight in pseudo-samples. */
const PRIOR_SIGMA = 0.5;
const PRIOR_WEIGHT = 3;
/** Hand-over between calls (walk-up, idle) assumed before any is measured, seconds. */
const DEFAULT_HANDOVER_SECONDS = 30;
const MAX_HANDOVER_SECONDS = 600;
/** Usual length of a pause, by reason, minutes: a paused counter is expected back then (or soon, once overdue). */
const PAUSE_MINUTES: Record<PauseReason, number> = { break: 15, prayer: 20, system_down: 30, other: 20 };
const OVERDUE_PAUSE_MINUTES = 5;
/** No run looks further than this. */
const HORIZON_MS = 24 * 3_600_000;
/** Never a service time under this, ms. */
const MIN_SERVICE_MS = 10_000;
/** Seeds of the runs (fixed: the estimate is a function of its input). */
const SEED = 0x2026_1202;

// ---------------------------------------------------------------- what the day so far says

interface Svc {
  /** Log-normal of the service time, ms. */
  mu: number;
  sigma: number;
  /** Mean, ms. */
  mean: number;
}

interface Model {
  services: Svc[];
  index: Map<string, number>;
  handover: number;
  /** Stretches of time from now on in which tickets arrive, ms, and per stretch the arrivals per ms of each service. */
  segments: Array<{ from: number; to: number; rate: Float64Array }>;
  /** Share of arrivals in a priority group, and booked. */
  pPriority: number;
  pBooked: number;
  /** A booked arrival is due this long after it is issued, ms. */
  bookingLead: number;
  /** Arrivals a run simulates at most. */
  maxArrivals: number;
  /** Past days' pause schedules still ahead today: per past day, counter id → [start, length] in ms (start ≥ now). */
  pauses: Array<Map<string, Array<[number, number]>>>;
}

/**
 * The arrivals of past days (a real server reads them from its journal of the
 * last weeks; the bench from the days it simulated before): per service, the
 * mean tickets issued per slot of the day. The estimate takes the day's shape
 * from it and the level from today's arrivals so far.
 */
export interface ArrivalProfile {
  /** Slot length, minutes (divides 1440). */
  slotMinutes: number;
  /** Days averaged. */
  days: number;
  /** Service id → mean tickets issued per slot, slot 0 starting at local midnight. */
  perService: Record<string, number[]>;
  /** Per past day, its counters' pauses: counter id → [start, length], minutes from local midnight. */
  pauses: Array<Record<string, Array<[number, number]>>>;
  /** Service id → log-normal fit of past days' service times (ms): the prior today's times update. */
  serviceTimes: Record<string, { mu: number; sigma: number; n: number }>;
}

/** One past day as the profile reads it: its tickets and (for the pauses) its events. */
export interface PastDay {
  tickets: Iterable<Pick<Ticket, 'serviceId' | 'issuedAt' | 'state' | 'calledAt' | 'startedAt' | 'finishedAt'>>;
  events?: Iterable<Pick<QueueEvent, 'type' | 'at'> & { counterId?: string | null }>;
}

/** Pseudo-tickets of today's level that start at the profile's (so a few tickets early on do not swing it). */
const LEVEL_PRIOR = 30;

/** The profile of past days' tickets (each day a list of tickets; time zone of the office). */
export function arrivalProfileOf(days: readonly PastDay[], timeZone: string, slotMinutes = 30): ArrivalProfile {
  const slots = Math.round(1440 / slotMinutes);
  const perService: Record<string, number[]> = {};
  const minuteOf = (iso: string): number => {
    const { time } = localParts(new Date(iso), timeZone);
    return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  };
  const pauses: ArrivalProfile['pauses'] = [];
  const logs = new Map<string, number[]>();
  for (const day of days) {
    for (const t of day.tickets) {
      (perService[t.serviceId] ??= new Array<number>(slots).fill(0))[Math.floor(minuteOf(t.issuedAt) / slotMinutes)]! += 1;
      const from = t.startedAt ?? t.calledAt;
      if (t.state === 'done' && from && t.finishedAt) {
        const ms = Date.parse(t.finishedAt) - Date.parse(from);
        if (ms > 0) (logs.get(t.serviceId) ?? logs.set(t.serviceId, []).get(t.serviceId)!).push(Math.log(ms));
      }
    }
    const mine: Record<string, Array<[number, number]>> = {};
    const since = new Map<string, number>();
    for (const e of day.events ?? []) {
      if (!e.counterId) continue;
      if (e.type === 'counter_paused') since.set(e.counterId, Date.parse(e.at));
      else if (e.type === 'counter_resumed' && since.has(e.counterId)) {
        const from = since.get(e.counterId)!;
        since.delete(e.counterId);
        (mine[e.counterId] ??= []).push([minuteOf(new Date(from).toISOString()), (Date.parse(e.at) - from) / 60_000]);
      }
    }
    pauses.push(mine);
  }
  const n = Math.max(1, days.length);
  for (const k of Object.keys(perService)) perService[k] = perService[k]!.map((x) => x / n);
  const serviceTimes: ArrivalProfile['serviceTimes'] = {};
  for (const [sid, xs] of logs) {
    const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sigma = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, xs.length - 1));
    serviceTimes[sid] = { mu, sigma: xs.length > 1 ? sigma : PRIOR_SIGMA, n: xs.length };
  }
  return { slotMinutes, days: days.length, perService, pauses, serviceTimes };
}

/** Weight, in samples, of past days' service times against today's. */
const PAST_WEIGHT = 30;

function serviceModel(state: DayState, office: OfficeConfig, sid: string): Svc {
  const all = state.serviceTimes.get(sid) ?? [];
  const k = Math.max(1, office.rules.etaSampleSize);
  const recent = all.length > k ? all.slice(-k) : all;
  const past = state.arrivalProfile?.serviceTimes[sid];
  // The prior: past days' fit, else the office's default service time with a usual spread.
  const defaultMean = office.rules.defaultServiceMinutes * 60_000;
  const mu0 = past ? past.mu : Math.log(defaultMean) - PRIOR_SIGMA ** 2 / 2;
  const s0 = past ? past.sigma : PRIOR_SIGMA;
  const w0 = past ? Math.min(PAST_WEIGHT, past.n) : 0;
  let sum = w0 * mu0;
  for (const x of recent) sum += Math.log(Math.max(1, x * 1000));
  const n = recent.length;
  if (n + w0 === 0) return { mu: mu0, sigma: s0, mean: Math.exp(mu0 + s0 ** 2 / 2) };
  const mu = sum / (n + w0);
  let ss = (w0 || PRIOR_WEIGHT) * s0 ** 2;
  for (const x of recent) ss += (Math.log(Math.max(1, x * 1000)) - mu) ** 2;
  const sigma = Math.sqrt(ss / (Math.max(0, n - 1) + (w0 || PRIOR_WEIGHT)));
  return { mu, sigma, mean: Math.exp(mu + sigma ** 2 / 2) };
}

/**
 * The time a counter loses between two tickets besides the service itself
 * (the citizen walking up, the clerk pressing "call"), ms: the median, over
 * consecutive first calls at one counter in the recent calls, of the gap
 * between the calls less the first ticket's service time.
 */
function handoverMs(state: DayState): number {
  const gaps: number[] = [];
  const lastAt = new Map<string, { at: number; ticketId: string }>();
  for (const c of state.recentCalls) {
    if (c.recall) continue;
    const at = Date.parse(c.at);
    const prev = lastAt.get(c.counterId);
    lastAt.set(c.counterId, { at, ticketId: c.ticketId });
    if (!prev) continue;
    const t = state.tickets.get(prev.ticketId);
    if (!t?.startedAt || !t.finishedAt || t.state !== 'done') continue;
    const service = Date.parse(t.finishedAt) - Date.parse(t.startedAt);
    const gap = at - prev.at - service;
    if (gap >= 0 && gap <= MAX_HANDOVER_SECONDS * 1000) gaps.push(gap);
  }
  if (gaps.length === 0) return DEFAULT_HANDOVER_SECONDS * 1000;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

/** Today's opening periods (ms) that end after `now`; none on a day without hours. */
function openPeriods(state: DayState, office: OfficeConfig, now: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [from, to] of periodsOn(office.hours, state.officeDay, office.closedDays ?? [])) {
    const a = zonedInstant(state.officeDay, from, office.timeZone).getTime();
    const b = zonedInstant(state.officeDay, to, office.timeZone).getTime();
    if (b > now) out.push([Math.max(a, now), b]);
  }
  return out;
}

function buildModel(state: DayState, office: OfficeConfig, now: number): Model {
  const index = new Map<string, number>();
  office.services.forEach((s, i) => index.set(s.id, i));
  const S = office.services.length;
  const services = office.services.map((s) => serviceModel(state, office, s.id));
  const periods = periodsOn(office.hours, state.officeDay, office.closedDays ?? []);
  let dayStart = periods[0] ? zonedInstant(state.officeDay, periods[0][0], office.timeZone).getTime() : Infinity;
  const arrivals = dayArrivals(state, office, now);
  const { perService, today, recent, priority, booked, bookingLead } = arrivals;
  if (periods.length === 0) dayStart = arrivals.first;
  let open = openPeriods(state, office, now);
  // A day without hours (the demo, a holiday opened anyway): arrivals for the next hour.
  if (periods.length === 0) open = [[now, now + 3_600_000]];
  const segments: Model['segments'] = [];
  const profile = state.arrivalProfile;
  if (profile && profile.days > 0) {
    // The shape of past days, scaled to today's level so far.
    const slotMs = profile.slotMinutes * 60_000;
    const midnight = zonedInstant(state.officeDay, '00:00', office.timeZone).getTime();
    const rows = office.services.map((sv) => profile.perService[sv.id]);
    let expected = 0;
    for (const row of rows) {
      if (!row) continue;
      for (let k = 0; k < row.length; k++) {
        const a = midnight + k * slotMs;
        if (a >= now) break;
        expected += row[k]! * Math.min(1, (now - a) / slotMs);
      }
    }
    const level = (today + LEVEL_PRIOR) / (expected + LEVEL_PRIOR);
    if (periods.length === 0) open = [[now, midnight + 86_400_000]];
    for (const [a, b] of open) {
      for (let k = Math.floor((a - midnight) / slotMs); midnight + k * slotMs < b; k++) {
        const rate = new Float64Array(S);
        rows.forEach((row, i) => (rate[i] = ((row?.[k] ?? 0) * level) / slotMs));
        segments.push({ from: Math.max(a, midnight + k * slotMs), to: Math.min(b, midnight + (k + 1) * slotMs), rate });
      }
    }
  } else if (today > 0) {
    // No past days: the rate of today's last stretch, split by today's service mix, until closing.
    const window = Math.max(MIN_ARRIVAL_WINDOW_MINUTES * 60_000, Math.min(ARRIVAL_WINDOW_MINUTES * 60_000, now - dayStart));
    const total = recent / window;
    const rate = new Float64Array(S);
    for (let i = 0; i < S; i++) rate[i] = (total * (perService[i]! + 0.5)) / (today + 0.5 * S);
    // Without past days the shape of the day is unknown: the last hour's rate is trusted for the next hour only.
    const until = now + NO_HISTORY_HORIZON_MINUTES * 60_000;
    for (const [a, b] of open) if (a < until) segments.push({ from: a, to: Math.min(b, until), rate });
  }
  const pauses: Model['pauses'] = [];
  if (profile && profile.pauses.length > 0) {
    const midnight = zonedInstant(state.officeDay, '00:00', office.timeZone).getTime();
    for (const day of profile.pauses) {
      const m = new Map<string, Array<[number, number]>>();
      for (const [cid, list] of Object.entries(day)) {
        const ahead = list.map(([a, len]): [number, number] => [midnight + a * 60_000, len * 60_000]).filter(([a]) => a >= now);
        if (ahead.length) m.set(cid, ahead.sort((x, y) => x[0] - y[0]));
      }
      pauses.push(m);
    }
  }
  return {
    maxArrivals: profile && profile.days > 0 ? MAX_ARRIVALS_PER_RUN : MAX_ARRIVALS_NO_HISTORY,
    pauses,
    services,
    index,
    handover: handoverMs(state),
    segments,
    pPriority: today ? priority / today : 0,
    pBooked: today ? booked / today : 0,
    bookingLead,
  };
}

/** What the estimate reads of today's arrivals: the tickets issued up to `now` (inclusive) for the services the office has. */
export interface DayArrivals {
  /** Per service, in office.services order (a duplicated id: its last place). */
  perService: Float64Array;
  today: number;
  /** Issued in the last ARRIVAL_WINDOW_MINUTES (after now − window). */
  recent: number;
  /** The first issue instant, ms (Infinity: none). */
  first: number;
  priority: number;
  booked: number;
  /** The median booking ticket's lead (slot − issue, kept within 0–60 minutes), ms; 0 without booking tickets. */
  bookingLead: number;
}

const MAX_BOOKING_LEAD_MS = 3_600_000;

/**
 * dayArrivals from the reducer's index (state.arrivals): per service two
 * binary searches, plus the few tickets issued after `now` (an estimate is
 * made at the issue instant or at most CACHE_MS before it; one far in the past
 * costs what the whole-day walk did).
 */
export function dayArrivals(state: DayState, office: OfficeConfig, now: number): DayArrivals {
  const index = new Map<string, number>();
  office.services.forEach((s, i) => index.set(s.id, i));
  const perService = new Float64Array(office.services.length);
  const from = now - ARRIVAL_WINDOW_MINUTES * 60_000;
  let today = 0;
  let recent = 0;
  let first = Infinity;
  let priority = 0;
  let booked = 0;
  // Leads of booking tickets not counted: of services gone from the office, or issued after now.
  const left: number[] = [];
  for (const [sid, a] of state.arrivals.byService) {
    const i = index.get(sid);
    if (i === undefined) {
      for (const x of a.leads) left.push(x);
      continue;
    }
    const hi = upperBound(a.at, now);
    let p = a.priority;
    let b = a.booked;
    for (let k = hi; k < a.at.length; k++) {
      const t = a.tickets[k]!;
      if (t.priority) p -= 1;
      if (t.source === 'booking') b -= 1;
      const lead = leadOf(t, a.at[k]!);
      if (lead !== null) left.push(lead);
    }
    perService[i] = hi;
    today += hi;
    recent += hi - upperBound(a.at, from);
    priority += p;
    booked += b;
    if (hi > 0 && a.at[0]! < first) first = a.at[0]!;
  }
  const leads = state.arrivals.leads;
  const counted = leads.length - left.length;
  const lead = counted > 0 ? kthLeft(leads, left, counted >> 1) : null;
  const bookingLead = lead === null ? 0 : Math.min(MAX_BOOKING_LEAD_MS, Math.max(0, lead));
  return { perService, today, recent, first, priority, booked, bookingLead };
}

/** The k-th smallest (from 0) of the ascending `all` less the multiset `out` (each of it in `all`). */
function kthLeft(all: readonly number[], out: number[], k: number): number {
  if (out.length === 0) return all[k]!;
  out.sort((a, b) => a - b);
  // The first place whose value has more than k of the rest at or below it.
  let lo = 0;
  let hi = all.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = all[mid]!;
    if (upperBound(all, v) - upperBound(out, v) > k) hi = mid;
    else lo = mid + 1;
  }
  return all[lo]!;
}

// ---------------------------------------------------------------- random numbers

/** mulberry32: small, fast, seeded (bench/eta-accuracy.ts draws its simulated days with it too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

// ---------------------------------------------------------------- the simulation

/** Item kinds: a ticket waiting now, one that will arrive, a new ticket being estimated. */
const Kind = { Waiting: 0, Arrival: 1, Phantom: 2 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Item {
  kind: Kind;
  /** Index in the targets (waiting tickets and phantoms), -1 for an arrival. */
  target: number;
  id: string;
  service: number;
  /** Counter index it was sent to, -1 for none. */
  counter: number;
  /** 0 precedence, 2 priority, 3 regular (a booking is class 1 from `slot`). */
  cls: 0 | 2 | 3;
  slot: number;
  queuedAt: number;
  issuedAt: number;
  /** The run in which it was called (-1: not yet). */
  takenIn: number;
}

/** olderFirst on the numbers. */
function older(a: Item, b: Item): number {
  return a.queuedAt - b.queuedAt || a.issuedAt - b.issuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

interface Queue {
  items: Item[];
  head: number;
}

interface Setup {
  model: Model;
  counters: CounterState[];
  /** Per counter index: its service indexes in its order. */
  services: number[][];
  /** Per service: counter indexes that serve it. */
  callers: number[][];
  /** Base queues per class (0–3), per service index, sorted; and per counter index (sent to it). */
  byService: Item[][][];
  byCounter: Item[][][];
  /** Bookings not yet due, by slot. */
  pending: Item[];
  targets: Item[];
  /** Targets still to be called for a run to end. */
  needed: number;
  /** Tickets waiting now. */
  waiting: number;
  /** Per counter index: the ticket in hand (its service, ms since called or started), or null. */
  held: Array<{ service: number; elapsed: number } | null>;
}

function itemOf(t: Ticket, target: number, model: Model, counterIndex: Map<string, number>): Item | null {
  const service = model.index.get(t.serviceId);
  if (service === undefined) return null;
  return {
    kind: Kind.Waiting,
    target,
    id: t.id,
    service,
    counter: t.targetCounterId === null ? -1 : (counterIndex.get(t.targetCounterId) ?? -2),
    cls: t.precedence ? 0 : t.priority ? 2 : 3,
    slot: t.source === 'booking' && t.bookingSlot !== null ? Date.parse(t.bookingSlot) : Infinity,
    queuedAt: Date.parse(t.queuedAt),
    issuedAt: Date.parse(t.issuedAt),
    takenIn: -1,
  };
}

function setup(state: DayState, office: OfficeConfig, now: number, phantoms: readonly Item[], withWaitingTargets: boolean): Setup {
  const model = modelOf(state, office, now);
  const counters = allCounters(state, office);
  const counterIndex = new Map<string, number>();
  counters.forEach((c, i) => counterIndex.set(c.id, i));
  const S = office.services.length;
  const services = counters.map((c) => c.services.map((sid) => model.index.get(sid)).filter((i): i is number => i !== undefined));
  const callers: number[][] = Array.from({ length: S }, () => []);
  services.forEach((list, ci) => {
    for (const si of list) callers[si]!.push(ci);
  });
  const byService = [0, 1, 2, 3].map(() => Array.from({ length: S }, () => [] as Item[]));
  const byCounter = [0, 1, 2, 3].map(() => counters.map(() => [] as Item[]));
  const pending: Item[] = [];
  const targets: Item[] = [];
  const file = (it: Item): void => {
    if (it.counter === -2) return; // sent to a counter that no longer exists: nobody calls it
    const queues = it.counter >= 0 ? byCounter : byService;
    const slotIndex = it.counter >= 0 ? it.counter : it.service;
    if (it.cls === 0) return void queues[0]![slotIndex]!.push(it);
    if (it.slot <= now) return void queues[1]![slotIndex]!.push(it);
    queues[it.cls]![slotIndex]!.push(it);
    if (it.slot !== Infinity) pending.push(it);
  };
  for (const list of state.waitingByService.values()) {
    for (const t of list) {
      if (t.state !== 'waiting') continue;
      const it = itemOf(t, withWaitingTargets ? targets.length : -1, model, counterIndex);
      if (!it) continue;
      if (withWaitingTargets) targets.push(it);
      file(it);
    }
  }
  for (const p of phantoms) {
    p.target = targets.length;
    targets.push(p);
    file(p);
  }
  for (const cls of [byService, byCounter]) for (const perClass of cls) for (const q of perClass) q.sort(older);
  pending.sort((a, b) => a.slot - b.slot);
  const held = counters.map((c) => {
    const t = c.ticketId ? state.tickets.get(c.ticketId) : undefined;
    if (!t || (t.state !== 'called' && t.state !== 'serving')) return null;
    const service = model.index.get(t.serviceId);
    if (service === undefined) return null;
    const since = Date.parse(t.startedAt ?? t.calledAt ?? new Date(now).toISOString());
    return { service, elapsed: Math.max(0, now - since) };
  });
  return { model, counters, services, callers, byService, byCounter, pending, targets, needed: targets.length, held, waiting: state.waiting.size };
}


interface SimCounter {
  free: number;
  /** Nothing to call when it last looked (a pause due meanwhile started on time). */
  idle: boolean;
  /** The pauses it will take (one past day's, drawn per run), and the next one. */
  pauses: ReadonlyArray<[number, number]>;
  nextPause: number;
  streak: number;
  /** Waiting tickets (not arrivals) it has called in this run. */
  calls: number;
  /** Per class, the queues it looks at in order: sent to it, then its services'. */
  order: Queue[][];
}

/** A service time drawn for the service, ms. */
function draw(model: Model, service: number, r: () => number): number {
  const s = model.services[service]!;
  return Math.max(MIN_SERVICE_MS, Math.exp(s.mu + s.sigma * normal(r)));
}

/** The next arrival of service `s` after `t`, following the model's rates; Infinity when none comes. */
function nextArrival(model: Model, s: number, t: number, r: () => number): number {
  let need = -Math.log(1 - r());
  for (const seg of model.segments) {
    if (seg.to <= t) continue;
    const rate = seg.rate[s]!;
    if (rate <= 0) continue;
    const from = Math.max(seg.from, t);
    const cap = rate * (seg.to - from);
    if (need < cap) return from + need / rate;
    need -= cap;
  }
  return Infinity;
}

interface Runs {
  runs: number;
  /** [target * runs + run]: when the target was called, ms (NaN: not within the horizon). */
  at: Float64Array;
  /** [target * runs + run]: waiting tickets its callers called before it. */
  ahead: Int32Array;
}

/** Runs the office runsFor(waiting) times from `now`. */
function simulate(su: Setup, office: OfficeConfig, now: number): Runs {
  const { model, targets } = su;
  const R = runsFor(su.waiting);
  const out: Runs = { runs: R, at: new Float64Array(targets.length * R).fill(NaN), ahead: new Int32Array(targets.length * R) };
  const S = model.services.length;
  const ratio = office.rules.priorityPerRegular;
  const horizon = now + HORIZON_MS;
  const next = new Float64Array(S);
  for (let run = 0; run < R; run++) {
    const r = rng(SEED + run * 0x9e37);
    const copy = (lists: Item[][][]): Queue[][] => lists.map((perClass) => perClass.map((items) => ({ items: items.slice(), head: 0 })));
    const qs = copy(su.byService);
    const qc = copy(su.byCounter);
    const pending = su.pending.slice();
    let nextPending = 0;
    for (let s = 0; s < S; s++) next[s] = nextArrival(model, s, now, r);
    const counters: SimCounter[] = su.counters.map((c, index) => {
      let free = now;
      if (c.paused) {
        const back = Date.parse(c.paused.since) + PAUSE_MINUTES[c.paused.reason] * 60_000;
        free = back > now ? back : now + OVERDUE_PAUSE_MINUTES * 60_000 * r();
      }
      const held = su.held[index];
      if (held) {
        // What is left of a service that has lasted `elapsed` already: a draw longer than that, less it.
        let left = 0;
        for (let i = 0; i < 8 && left <= 0; i++) left = draw(model, held.service, r) - held.elapsed;
        if (left <= 0) left = 0.25 * model.services[held.service]!.mean;
        free = Math.max(free, now + left + model.handover);
      }
      const order = [0, 1, 2, 3].map((cls) => [qc[cls]![index]!, ...su.services[index]!.map((si) => qs[cls]![si]!)]);
      const day = model.pauses.length ? model.pauses[Math.floor(r() * model.pauses.length)]! : null;
      return { free, idle: false, pauses: day?.get(c.id) ?? [], nextPause: 0, streak: c.priorityStreak, calls: 0, order };
    });
    // Per class, how many tickets may still be in its queues (an upper bound: a class with none is not looked at).
    const live = [0, 1, 2, 3].map((cls) => {
      let n = 0;
      for (const q of qs[cls]!) n += q.items.length;
      for (const q of qc[cls]!) n += q.items.length;
      return n;
    });
    const insertDue = (it: Item): void => {
      live[1]! += 1;
      const q = it.counter >= 0 ? qc[1]![it.counter]! : qs[1]![it.service]!;
      let i = q.items.length;
      while (i > q.head && older(q.items[i - 1]!, it) > 0) i -= 1;
      q.items.splice(i, 0, it);
    };
    const head = (q: Queue): Item | null => {
      while (q.head < q.items.length && q.items[q.head]!.takenIn === run) q.head += 1;
      return q.items[q.head] ?? null;
    };
    let rank = 0;
    const best = (c: SimCounter, cls: number): Item | null => {
      if (live[cls] === 0) return null;
      const order = c.order[cls]!;
      for (let i = 0; i < order.length; i++) {
        const it = head(order[i]!);
        if (it) {
          rank = i - 1;
          return it;
        }
      }
      return null;
    };
    let needed = su.needed;
    let arrivals = 0;
    while (needed > 0) {
      let c: SimCounter | undefined;
      for (const x of counters) if (!c || x.free < c.free) c = x;
      if (!c || c.free > horizon) break;
      const t = c.free;
      // A pause due: taken when the counter is free (on time if it was idle).
      if (c.nextPause < c.pauses.length && c.pauses[c.nextPause]![0] <= t) {
        const [from, len] = c.pauses[c.nextPause++]!;
        const end = (c.idle ? from : t) + len;
        if (end > t) {
          c.free = end;
          c.idle = false;
          continue;
        }
      }
      // Who has come in by now: arrivals (a booked one also waits for its slot), then bookings falling due.
      for (let s = 0; s < S; s++) {
        while (next[s]! <= t) {
          if (arrivals++ >= model.maxArrivals) {
            next.fill(Infinity); // no more arrivals in this run
            break;
          }
          const a = next[s]!;
          const booked = r() < model.pBooked;
          const it: Item = {
            kind: Kind.Arrival,
            target: -1,
            id: '',
            service: s,
            counter: -1,
            cls: r() < model.pPriority ? 2 : 3,
            slot: booked ? a + model.bookingLead : Infinity,
            queuedAt: a,
            issuedAt: a,
            takenIn: -1,
          };
          if (it.slot <= t) insertDue(it);
          else {
            qs[it.cls]![s]!.items.push(it);
            live[it.cls]! += 1;
            if (booked) {
              let i = pending.length;
              while (i > nextPending && pending[i - 1]!.slot > it.slot) i -= 1;
              pending.splice(i, 0, it);
            }
          }
          next[s] = nextArrival(model, s, a, r);
        }
      }
      while (nextPending < pending.length && pending[nextPending]!.slot <= t) {
        const it = pending[nextPending++]!;
        if (it.takenIn !== run) insertDue(it);
      }
      let pick = best(c, 0);
      let cls = 0; // 0 or 1: the streak stays
      if (!pick && (pick = best(c, 1))) cls = 1;
      if (!pick) {
        const p2 = best(c, 2);
        const r2 = rank;
        const p3 = best(c, 3);
        const r3 = rank;
        const prio = p2 !== null && (p3 === null || (ratio <= 0 ? (r2 - r3 || older(p2, p3)) < 0 : c.streak < ratio));
        if (prio) {
          pick = p2;
          cls = 2;
        } else if (p3) {
          pick = p3;
          cls = 3;
        }
      }
      if (!pick) {
        // Nothing for this counter now: look again at the next arrival or due booking.
        let wake = nextPending < pending.length ? pending[nextPending]!.slot : Infinity;
        for (let s = 0; s < S; s++) if (next[s]! < wake) wake = next[s]!;
        if (c.nextPause < c.pauses.length && c.pauses[c.nextPause]![0] < wake) wake = c.pauses[c.nextPause]![0];
        c.free = wake === Infinity ? Infinity : Math.max(t + 1, wake);
        c.idle = true;
        continue;
      }
      pick.takenIn = run;
      live[cls]! -= 1;
      c.idle = false;
      if (cls === 2) c.streak += 1;
      else if (cls === 3) c.streak = 0;
      if (pick.target >= 0) {
        const k = pick.target * R + run;
        out.at[k] = t;
        let n = 0;
        if (pick.counter >= 0) n = c.calls;
        else for (const ci of su.callers[pick.service]!) n += counters[ci]!.calls;
        out.ahead[k] = n;
        needed -= 1;
      }
      if (pick.kind === Kind.Phantom) continue; // each new ticket is estimated as if it alone were added
      if (pick.kind === Kind.Waiting) c.calls += 1;
      c.free = t + draw(model, pick.service, r) + model.handover;
    }
  }
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const j = Math.min(sorted.length - 1, i + 1);
  return sorted[i]! + (sorted[j]! - sorted[i]!) * (pos - i);
}

/** A target's position from its runs; null when most runs never call it (no counter serves it). */
function positionOf(runs: Runs, target: number, now: number, clock: number): Position | null {
  const R = runs.runs;
  const at = runs.at.slice(target * R, target * R + R);
  let called = 0;
  for (let i = 0; i < R; i++) {
    if (Number.isNaN(at[i]!)) at[i] = now + HORIZON_MS;
    else called += 1;
  }
  if (called * 2 < R) return null;
  at.sort();
  const ahead = Array.from(runs.ahead.slice(target * R, target * R + R)).sort((a, b) => a - b);
  const low = Math.max(0, Math.floor((quantile(at, ETA_Q_LOW) - clock) / 60_000));
  const high = Math.max(low, Math.ceil((quantile(at, ETA_Q_HIGH) - clock) / 60_000));
  return { ahead: ahead[R >> 1]!, wait: { low, high } };
}

function phantom(model: Model, serviceId: string, now: number, opts: NewTicketOptions = {}): Item | null {
  const service = model.index.get(serviceId);
  if (service === undefined) return null;
  const slot = opts.bookingSlot ?? null;
  return {
    kind: Kind.Phantom,
    target: -1,
    id: '\u0000new',
    service,
    counter: -1,
    cls: opts.priority ? 2 : 3,
    slot: slot === null ? Infinity : slot,
    queuedAt: now,
    issuedAt: now,
    takenIn: -1,
  };
}

// ---------------------------------------------------------------- caches

/** The model of the day (service times, arrival rates) for one state version and instant. */
const models = new WeakMap<DayState, { version: number; office: OfficeConfig; now: number; model: Model }>();
function modelOf(state: DayState, office: OfficeConfig, now: number): Model {
  const hit = models.get(state);
  if (hit && hit.version === state.version && hit.office === office && hit.now === now) return hit.model;
  const model = buildModel(state, office, now);
  models.set(state, { version: state.version, office, now, model });
  return model;
}

/**
 * Screens and phones ask for the same state many times a second: positions
 * and the kiosk's ranges are computed once per state version and CACHE_MS
 * stretch of time (from the stretch's start, so the answer is still a
 * function of the state and the instant).
 */
export const CACHE_MS = 15_000;
const cached = new WeakMap<DayState, Map<string, { version: number; office: OfficeConfig; bucket: number; value: unknown }>>();
function memo<T>(state: DayState, office: OfficeConfig, kind: string, now: number, compute: (at: number) => T): T {
  const bucket = Math.floor(now / CACHE_MS) * CACHE_MS;
  let perState = cached.get(state);
  if (!perState) cached.set(state, (perState = new Map()));
  const hit = perState.get(kind);
  if (hit && hit.version === state.version && hit.office === office && hit.bucket === bucket) return hit.value as T;
  const value = compute(bucket);
  perState.set(kind, { version: state.version, office, bucket, value });
  return value;
}

// ---------------------------------------------------------------- the contract (C1)

/** A wait for a ticket nobody can call (no counter serves its service at all). */
const UNKNOWN: WaitRange = { low: 0, high: 0 };

/** Every waiting ticket of the day with the number of people the queue will call before it and its wait range. */
export function positions(state: DayState, office: OfficeConfig, now: number): Map<string /* ticket id */, Position> {
  const runs = memo(state, office, 'positions', now, (at) => {
    const su = setup(state, office, at, [], true);
    return { su, runs: simulate(su, office, at), at };
  });
  const out = new Map<string, Position>();
  runs.su.targets.forEach((it, i) => {
    const p = positionOf(runs.runs, i, runs.at, now);
    out.set(it.id, p ?? { ahead: aheadFallback(state, it.id), wait: UNKNOWN });
  });
  for (const id of state.waiting) if (!out.has(id)) out.set(id, { ahead: aheadFallback(state, id), wait: UNKNOWN });
  return out;
}

/** For a ticket issued now for the service (kiosk, receipt). */
export function rangeForNewTicket(state: DayState, office: OfficeConfig, serviceId: string, now: number, opts?: NewTicketOptions): Position {
  const model = modelOf(state, office, now);
  const p = phantom(model, serviceId, now, opts);
  const fallback: Position = { ahead: state.waitingByService.get(serviceId)?.length ?? 0, wait: UNKNOWN };
  if (!p) return fallback;
  const su = setup(state, office, now, [p], false);
  const res = positionOf(simulate(su, office, now), p.target, now, now) ?? fallback;
  return res;
}

/** rangeForNewTicket for every service at once (one simulation): the kiosk's "a ticket issued now". */
export function rangesForNewTickets(state: DayState, office: OfficeConfig, now: number): Map<string, Position> {
  const r = memo(state, office, 'new', now, (at) => {
    const model = modelOf(state, office, at);
    const ps = office.services.map((s) => phantom(model, s.id, at));
    const su = setup(state, office, at, ps.filter((p): p is Item => p !== null), false);
    return { ps, runs: simulate(su, office, at), at };
  });
  const out = new Map<string, Position>();
  office.services.forEach((s, i) => {
    const p = r.ps[i];
    const pos = p ? positionOf(r.runs, p.target, r.at, now) : null;
    out.set(s.id, pos ?? { ahead: state.waitingByService.get(s.id)?.length ?? 0, wait: UNKNOWN });
  });
  return out;
}

/** Waiting tickets of the same service before it (no counter serves it: the plain FIFO count). */
function aheadFallback(state: DayState, id: string): number {
  const t = state.tickets.get(id);
  if (!t) return 0;
  const list = state.waitingByService.get(t.serviceId) ?? [];
  const i = list.indexOf(t);
  return i < 0 ? 0 : i;
}

/**
 * The order in which the first run calls the waiting tickets (tests: with
 * one counter and no arrivals it must be call_next's).
 */
export function simulatedOrder(state: DayState, office: OfficeConfig, now: number): string[] {
  const su = setup(state, office, now, [], true);
  const runs = simulate(su, office, now);
  return su.targets
    .map((it, i) => ({ id: it.id, at: runs.at[i * runs.runs]! }))
    .filter((x) => !Number.isNaN(x.at))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.id);
}
