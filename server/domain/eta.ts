// The estimated wait, as a range (issue 11). Pure: time comes in, nothing is
// random, nothing is mutated.
//
// Model (docs/eta.md): one pass simulates the counters that serve now (paused
// ones excluded) calling the waiting tickets in the order "call next" really
// uses (protocol/rules.ts nextFor: precedence, due bookings, the priority
// ratio per counter, the counter's service order, FIFO), each call keeping the
// counter busy for the service's mean cycle (recent service times plus the
// measured hand-over between calls). A ticket's wait is when the simulation
// calls it; its spread comes from the variance of the service times ahead of
// it (shared among the counters that may call it) plus a share of the wait
// itself (what the simulation cannot know: tickets that will jump the queue,
// breaks). The range is the centre ± Z spreads, in whole minutes.
import type { CounterState, OfficeConfig, Ticket } from '../../protocol/model.ts';
import { olderFirst } from '../../protocol/rules.ts';
import { allCounters, type DayState } from './state.ts';

/** Whole minutes, 0 <= low <= high. */
export interface WaitRange {
  low: number;
  high: number;
}

export interface Position {
  /** People the queue will call before this ticket, at the counters that may call it. */
  ahead: number;
  wait: WaitRange;
}

/** What a ticket issued now would be (rangeForNewTicket). */
export interface NewTicketOptions {
  priority?: boolean;
  /** Booking slot start, ms; a booking is due (called before others) from then. */
  bookingSlot?: number | null;
}

// ---------------------------------------------------------------- tuning (see bench/eta-accuracy.ts)

/** Half-width of the range in spreads. */
export const ETA_Z = 1.0;
/** Share of the centre added to the spread: what the queue cannot know yet. */
export const ETA_REL = 0.2;
/** Floor of the spread, seconds. */
export const ETA_FLOOR_SECONDS = 60;
/** Spread of a service time assumed with fewer than MIN_SAMPLES measured, as a share of the mean. */
const PRIOR_CV = 0.5;
const MIN_SAMPLES = 3;
/** Hand-over between calls (walk-up, idle) assumed before any is measured, seconds. */
const DEFAULT_HANDOVER_SECONDS = 30;
const MAX_HANDOVER_SECONDS = 600;
/** A paused counter's expected remaining pause, for tickets no open counter serves. */
const PAUSE_REMAINING_MS = 15 * 60_000;

// ---------------------------------------------------------------- service time statistics

interface Cycle {
  /** Mean busy time per call, ms. */
  mean: number;
  /** Variance of it, ms². */
  variance: number;
}

/** Mean and variance of the recent service times of each service, plus the measured hand-over. */
function cycles(state: DayState, office: OfficeConfig): Map<string, Cycle> {
  const handover = handoverMs(state);
  const out = new Map<string, Cycle>();
  const k = Math.max(1, office.rules.etaSampleSize);
  for (const s of office.services) {
    const all = state.serviceTimes.get(s.id) ?? [];
    const recent = all.length > k ? all.slice(-k) : all;
    let mean = office.rules.defaultServiceMinutes * 60;
    let variance = (PRIOR_CV * mean) ** 2;
    if (recent.length > 0) {
      let sum = 0;
      for (const x of recent) sum += x;
      const m = sum / recent.length;
      let ss = 0;
      for (const x of recent) ss += (x - m) ** 2;
      // Few samples: lean on the prior spread, scaled to the measured mean.
      const prior = (PRIOR_CV * m) ** 2;
      const n = recent.length;
      variance = n >= MIN_SAMPLES ? (ss + prior) / n : prior;
      mean = m;
    }
    out.set(s.id, { mean: mean * 1000 + handover, variance: variance * 1e6 });
  }
  return out;
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

// ---------------------------------------------------------------- the simulation

interface Sim {
  ticket: Ticket | null;
  id: string;
  serviceId: string;
  targetCounterId: string | null;
  /** 0 precedence, 2 priority, 3 regular (a due booking is class 1 from `slot`). */
  cls: 0 | 2 | 3;
  slot: number;
  queuedAt: string;
  issuedAt: string;
  taken: boolean;
  phantom: boolean;
}

interface Queue {
  items: Sim[];
  head: number;
}

interface SimCounter {
  state: CounterState;
  index: number;
  free: number;
  variance: number;
  streak: number;
  calls: number;
  /** Per class 0–3, the queues it calls from, in order. */
  order: Queue[][];
}

interface Called {
  at: number;
  variance: number;
  ahead: number;
  /** Counters that may call it (variance is shared among them). */
  sharing: number;
  /** Order of the call in the run. */
  seq: number;
}

const older = (a: Sim, b: Sim): number =>
  olderFirst(a as unknown as Ticket, b as unknown as Ticket);

function simOf(t: Ticket): Sim {
  const slot = t.source === 'booking' && t.bookingSlot !== null ? Date.parse(t.bookingSlot) : Infinity;
  return {
    ticket: t,
    id: t.id,
    serviceId: t.serviceId,
    targetCounterId: t.targetCounterId,
    cls: t.precedence ? 0 : t.priority ? 2 : 3,
    slot,
    queuedAt: t.queuedAt,
    issuedAt: t.issuedAt,
    taken: false,
    phantom: false,
  };
}

function key(cls: number, serviceId: string, target: string | null): string {
  return target !== null ? `${cls}@${target}` : `${cls}/${serviceId}`;
}

/**
 * Runs the counters over the waiting tickets (and phantom new tickets, which
 * take no counter time: each is estimated as if it alone were added). With
 * `phantomsOnly` it stops once every phantom is called: what comes after
 * cannot change their calls.
 */
function simulate(
  state: DayState,
  office: OfficeConfig,
  now: number,
  phantoms: readonly Sim[],
  withPaused: boolean,
  only: ReadonlySet<string> | null,
  phantomsOnly = false,
): Map<string, Called> {
  const cyc = cycles(state, office);
  const ratio = office.rules.priorityPerRegular;
  // Every queue a counter may look at, made up front: the loop below then walks
  // arrays of queues, never builds a key (it runs once per waiting ticket).
  const queues = new Map<string, Queue>();
  const queueOf = (k: string): Queue => {
    let q = queues.get(k);
    if (!q) queues.set(k, (q = { items: [], head: 0 }));
    return q;
  };
  const pending: Sim[] = []; // bookings not yet due, by slot
  let left = 0;
  let phantomsLeft = 0;
  const push = (s: Sim, cls: number): void => void queueOf(key(cls, s.serviceId, s.targetCounterId)).items.push(s);
  const file = (s: Sim): void => {
    left += 1;
    if (s.phantom) phantomsLeft += 1;
    if (s.cls === 0) return push(s, 0);
    if (s.slot <= now) return push(s, 1);
    push(s, s.cls);
    if (s.slot !== Infinity) pending.push(s);
  };
  for (const list of state.waitingByService.values()) {
    for (const t of list) {
      if (t.state !== 'waiting') continue;
      if (only && !only.has(t.id)) continue;
      file(simOf(t));
    }
  }
  for (const p of phantoms) file(p);
  // Targeted queues mix services: put them in call order.
  for (const [k, q] of queues) if (k.includes('@')) q.items.sort(older);
  pending.sort((a, b) => a.slot - b.slot);
  let nextPending = 0;

  const counters: SimCounter[] = [];
  allCounters(state, office).forEach((c, index) => {
    let free = now;
    let variance = 0;
    if (c.paused) {
      if (!withPaused) return;
      free = Math.max(now, Date.parse(c.paused.since) + PAUSE_REMAINING_MS);
    }
    const held = c.ticketId ? state.tickets.get(c.ticketId) : undefined;
    if (held && (held.state === 'called' || held.state === 'serving')) {
      const cy = cyc.get(held.serviceId);
      if (cy) {
        const since = Date.parse(held.startedAt ?? held.calledAt ?? new Date(now).toISOString());
        const elapsed = Math.max(0, now - since);
        free += Math.max(cy.mean - elapsed, cy.mean * 0.25);
        variance += cy.variance;
      }
    }
    // Per class, the queues this counter looks at in order: its own (targeted) one, then its services'.
    const order: Queue[][] = [0, 1, 2, 3].map((cls) => [queueOf(`${cls}@${c.id}`), ...c.services.map((sid) => queueOf(`${cls}/${sid}`))]);
    counters.push({ state: c, index, free, variance, streak: c.priorityStreak, calls: 0, order });
  });
  // Per service, the counters in the run that may call its tickets (the variance is shared among them).
  const callersOf = new Map<string, SimCounter[]>();
  for (const s of office.services) callersOf.set(s.id, counters.filter((c) => c.state.services.includes(s.id)));

  const head = (q: Queue): Sim | null => {
    while (q.head < q.items.length && q.items[q.head]!.taken) q.head += 1;
    return q.items[q.head] ?? null;
  };
  /** The best ticket of a class for a counter, with its rank (withinClass; -1: targeted at it). */
  let rank = 0;
  const best = (c: SimCounter, cls: number): Sim | null => {
    const order = c.order[cls]!;
    for (let i = 0; i < order.length; i++) {
      const s = head(order[i]!);
      if (s) {
        rank = i - 1;
        return s;
      }
    }
    return null;
  };
  const activate = (at: number): void => {
    while (nextPending < pending.length && pending[nextPending]!.slot <= at) {
      const s = pending[nextPending++]!;
      if (s.taken) continue;
      const q = queueOf(key(1, s.serviceId, s.targetCounterId));
      // Sorted insert among the not-yet-taken ones.
      let i = q.items.length;
      while (i > q.head && older(q.items[i - 1]!, s) > 0) i -= 1;
      q.items.splice(i, 0, s);
    }
  };

  const out = new Map<string, Called>();
  while (left > 0 && (!phantomsOnly || phantomsLeft > 0)) {
    let c: SimCounter | undefined;
    for (const x of counters) if (x.free !== Infinity && (!c || x.free < c.free)) c = x;
    if (!c) break;
    const at = c.free;
    activate(at);
    let pick: Sim | null = best(c, 0);
    let cls = 0;
    if (!pick && (pick = best(c, 1))) cls = 1;
    if (!pick) {
      const p2 = best(c, 2);
      const r2 = rank;
      const p3 = best(c, 3);
      const r3 = rank;
      if (p2 && p3) {
        const prio = ratio <= 0 ? (r2 - r3 || older(p2, p3)) < 0 : c.streak < ratio;
        [pick, cls] = prio ? [p2, 2] : [p3, 3];
      } else if (p2) [pick, cls] = [p2, 2];
      else if (p3) [pick, cls] = [p3, 3];
    }
    if (!pick) {
      // Nothing for this counter now; a booking may become due later.
      c.free = nextPending < pending.length ? Math.max(at + 1, pending[nextPending]!.slot) : Infinity;
      continue;
    }
    pick.taken = true;
    left -= 1;
    if (cls === 2) c.streak += 1;
    else if (cls === 3) c.streak = 0;
    let ahead = 0;
    let sharing = 1;
    if (pick.targetCounterId !== null) ahead = c.calls;
    else {
      const callers = callersOf.get(pick.serviceId) ?? [];
      for (const x of callers) ahead += x.calls;
      sharing = Math.max(1, callers.length);
    }
    out.set(pick.id, { at, variance: c.variance, ahead, sharing, seq: out.size });
    if (pick.phantom) {
      phantomsLeft -= 1;
      continue; // a phantom takes no counter time
    }
    c.calls += 1;
    const cy = cyc.get(pick.serviceId);
    c.free = at + (cy?.mean ?? office.rules.defaultServiceMinutes * 60_000);
    c.variance += cy?.variance ?? 0;
  }
  return out;
}

/** The range around a simulated call time. */
export function rangeOf(centreMs: number, varianceMs2: number): WaitRange {
  const m = Math.max(0, centreMs) / 60_000;
  const sd = Math.sqrt(varianceMs2 / 3.6e9 + (ETA_REL * m) ** 2 + (ETA_FLOOR_SECONDS / 60) ** 2);
  const low = Math.max(0, Math.floor(m - ETA_Z * sd));
  const high = Math.max(low, Math.round(m + ETA_Z * sd));
  return { low, high };
}

function toPosition(c: Called, now: number): Position {
  return { ahead: c.ahead, wait: rangeOf(c.at - now, c.variance / c.sharing) };
}

/**
 * The simulation, then the tickets no open counter calls estimated as if the
 * paused counters come back. With phantoms, only their calls are wanted: the
 * runs stop once the phantoms are called.
 */
function run(state: DayState, office: OfficeConfig, now: number, phantoms: Sim[]): Map<string, Called> {
  const phantomsOnly = phantoms.length > 0;
  const first = simulate(state, office, now, phantoms, false, null, phantomsOnly);
  const lostPhantoms = phantoms.filter((p) => !first.has(p.id));
  if (phantomsOnly && lostPhantoms.length === 0) return first;
  let stranded: Set<string> | null = null;
  if (phantomsOnly) {
    // The first run stopped early: stranded are the tickets no open counter may call.
    const open = allCounters(state, office).filter((c) => !c.paused);
    const openIds = new Set(open.map((c) => c.id));
    const served = new Set(open.flatMap((c) => c.services));
    for (const list of state.waitingByService.values()) {
      for (const t of list) {
        if (t.state !== 'waiting') continue;
        if (t.targetCounterId !== null ? !openIds.has(t.targetCounterId) : !served.has(t.serviceId)) (stranded ??= new Set()).add(t.id);
      }
    }
  } else {
    for (const list of state.waitingByService.values()) {
      for (const t of list) if (t.state === 'waiting' && !first.has(t.id)) (stranded ??= new Set()).add(t.id);
    }
  }
  if (!stranded && lostPhantoms.length === 0) return first;
  for (const p of lostPhantoms) p.taken = false;
  const second = simulate(state, office, now, lostPhantoms, true, stranded ?? new Set(), phantomsOnly);
  for (const [id, c] of second) if (!first.has(id)) first.set(id, c);
  return first;
}

function phantom(serviceId: string, now: number, opts: NewTicketOptions = {}): Sim {
  const at = new Date(now).toISOString();
  const slot = opts.bookingSlot ?? null;
  return {
    ticket: null,
    id: `\u0000new/${serviceId}`,
    serviceId,
    targetCounterId: null,
    cls: opts.priority ? 2 : 3,
    slot: slot === null ? Infinity : slot,
    queuedAt: at,
    issuedAt: at,
    taken: false,
    phantom: true,
  };
}

/** A wait for a ticket nobody can call (no counter serves its service at all). */
const UNKNOWN: Position = { ahead: 0, wait: { low: 0, high: 0 } };

// ---------------------------------------------------------------- the contract (C1)

/** Every waiting ticket of the day with the number of people the queue will call before it and its wait range. */
export function positions(state: DayState, office: OfficeConfig, now: number): Map<string /* ticket id */, Position> {
  const sim = run(state, office, now, []);
  const out = new Map<string, Position>();
  for (const id of state.waiting) {
    const c = sim.get(id);
    out.set(id, c ? toPosition(c, now) : { ...UNKNOWN, ahead: state.tickets.get(id) ? aheadFallback(state, id) : 0 });
  }
  return out;
}

/** For a ticket issued now for the service (kiosk, receipt). */
export function rangeForNewTicket(state: DayState, office: OfficeConfig, serviceId: string, now: number, opts?: NewTicketOptions): Position {
  const p = phantom(serviceId, now, opts);
  const c = run(state, office, now, [p]).get(p.id);
  return c ? toPosition(c, now) : { ...UNKNOWN, ahead: state.waitingByService.get(serviceId)?.length ?? 0 };
}

/** rangeForNewTicket for every service at once (one simulation): the kiosk's "a ticket issued now". */
export function rangesForNewTickets(state: DayState, office: OfficeConfig, now: number): Map<string, Position> {
  const ps = office.services.map((s) => phantom(s.id, now));
  const sim = run(state, office, now, ps);
  const out = new Map<string, Position>();
  for (const p of ps) {
    const c = sim.get(p.id);
    out.set(p.serviceId, c ? toPosition(c, now) : { ...UNKNOWN, ahead: state.waitingByService.get(p.serviceId)?.length ?? 0 });
  }
  return out;
}

/** Waiting tickets of the same service before it (no counter serves it: the plain FIFO count). */
function aheadFallback(state: DayState, id: string): number {
  const t = state.tickets.get(id)!;
  const list = state.waitingByService.get(t.serviceId) ?? [];
  const i = list.indexOf(t);
  return i < 0 ? 0 : i;
}

/** The order the simulation calls the waiting tickets in (tests: it must be call_next's). */
export function simulatedOrder(state: DayState, office: OfficeConfig, now: number): string[] {
  const sim = run(state, office, now, []);
  return [...sim.entries()].sort((a, b) => a[1].seq - b[1].seq).map(([id]) => id);
}
