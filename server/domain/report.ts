// Reports: one office day's commits folded into a mergeable aggregate, and a
// range of day aggregates merged into figures. Pure (no clock, no I/O): the
// end of an open day and the office's standards are passed in.
//
// Percentiles come from a histogram of seconds in fixed log-spaced buckets
// (each bucket is BUCKET_RATIO wide; the value reported is the bucket's
// geometric middle, so it is within HISTOGRAM_ERROR of the true nearest-rank
// percentile); maxima and counts are exact. Merging two aggregates is adding
// them, so a year costs its days' aggregates, never a ticket scan.
import type { OfficeConfig, QueueEvent, Ticket } from '../../protocol/model.ts';
import type { Commit } from './state.ts';
import { scoreEta } from './eta-accuracy.ts';

/** Bumped whenever the shape or the meaning of an aggregate changes: stored aggregates of another format are recomputed. */
export const AGGREGATE_FORMAT = 1;

export const BUCKET_RATIO = 1.05;
/** Largest relative error of a reported p50/p90 (half a bucket, geometrically): 2.5 %. */
export const HISTOGRAM_ERROR = Math.sqrt(BUCKET_RATIO) - 1;
const LOG_RATIO = Math.log(BUCKET_RATIO);

/** A distribution of durations in seconds: exact count, sum and max, and a sparse log-bucket histogram. */
export interface Dist {
  n: number;
  sum: number;
  max: number;
  /** bucket index → count. Bucket 0 holds [0, 1) s; bucket i ≥ 1 holds [r^(i-1), r^i). */
  h: Record<string, number>;
}

export function emptyDist(): Dist {
  return { n: 0, sum: 0, max: 0, h: {} };
}

export function bucketOf(seconds: number): number {
  if (seconds < 1) return 0;
  return Math.floor(Math.log(seconds) / LOG_RATIO) + 1;
}

/** The value a bucket stands for: its geometric middle (bucket 0: 0.5 s). */
export function bucketValue(i: number): number {
  if (i <= 0) return 0.5;
  return Math.pow(BUCKET_RATIO, i - 0.5);
}

export function addSample(d: Dist, seconds: number): void {
  const s = Math.max(0, seconds);
  d.n += 1;
  d.sum += s;
  if (s > d.max) d.max = s;
  const b = String(bucketOf(s));
  d.h[b] = (d.h[b] ?? 0) + 1;
}

export function mergeDist(into: Dist, from: Dist): void {
  into.n += from.n;
  into.sum += from.sum;
  if (from.max > into.max) into.max = from.max;
  for (const [b, c] of Object.entries(from.h)) into.h[b] = (into.h[b] ?? 0) + c;
}

/** The nearest-rank q-quantile (0 < q ≤ 1), within HISTOGRAM_ERROR; never above the exact max; null when empty. */
export function quantile(d: Dist, q: number): number | null {
  if (d.n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * d.n));
  const buckets = Object.keys(d.h)
    .map(Number)
    .sort((a, b) => a - b);
  let seen = 0;
  for (const b of buckets) {
    seen += d.h[String(b)] ?? 0;
    if (seen >= rank) return Math.min(bucketValue(b), d.max);
  }
  return d.max;
}

export const PAUSE_KEYS = ['break', 'prayer', 'system_down', 'other'] as const;

/** The figures of one slice (the office, a service, a counter, a staff member, an hour of the day). */
export interface Cell {
  issued: number;
  served: number;
  noShow: number;
  cancelled: number;
  transferred: number;
  /** Issued by source. */
  kiosk: number;
  booking: number;
  counter: number;
  api: number;
  priority: number;
  /** Seconds from queued to called, one sample per call from the queue. */
  wait: Dist;
  /** Seconds from started (or called) to finished. */
  service: Dist;
  /** Seconds from issued to finished as done (the completion standard). */
  completion: Dist;
  /** The estimate at issue against the first wait: tickets measured, summed |error| minutes, inside the promised range (of those with a range). */
  etaN: number;
  etaAbsErrMin: number;
  etaRanged: number;
  etaInside: number;
  /** Service-standard breaches: completion over the service's standard, waits over the office target. */
  completionBreaches: number;
  waitBreaches: number;
  /** Counters: seconds paused per reason, open and idle (open, not paused, holding no ticket). */
  pause: Record<string, number>;
  openSeconds: number;
  idleSeconds: number;
}

export function emptyCell(): Cell {
  return {
    issued: 0,
    served: 0,
    noShow: 0,
    cancelled: 0,
    transferred: 0,
    kiosk: 0,
    booking: 0,
    counter: 0,
    api: 0,
    priority: 0,
    wait: emptyDist(),
    service: emptyDist(),
    completion: emptyDist(),
    etaN: 0,
    etaAbsErrMin: 0,
    etaRanged: 0,
    etaInside: 0,
    completionBreaches: 0,
    waitBreaches: 0,
    pause: {},
    openSeconds: 0,
    idleSeconds: 0,
  };
}

const COUNTS = ['issued', 'served', 'noShow', 'cancelled', 'transferred', 'kiosk', 'booking', 'counter', 'api', 'priority', 'etaN', 'etaAbsErrMin', 'etaRanged', 'etaInside', 'completionBreaches', 'waitBreaches', 'openSeconds', 'idleSeconds'] as const;

export function mergeCell(into: Cell, from: Cell): void {
  for (const k of COUNTS) into[k] += from[k];
  mergeDist(into.wait, from.wait);
  mergeDist(into.service, from.service);
  mergeDist(into.completion, from.completion);
  for (const [r, s] of Object.entries(from.pause)) into.pause[r] = (into.pause[r] ?? 0) + s;
}

export interface Breach {
  kind: 'completion' | 'wait';
  /** Ticket number of the day ("A012") and the day: no personal data. */
  number: string;
  officeDay: string;
  serviceId: string;
  minutes: number;
  limitMinutes: number;
  at: string;
}

export interface PrecheckCell {
  /** Sent home with "what to bring". */
  failed: number;
  kiosk: number;
  booking: number;
  /** Tickets issued after a pre-check that passed. */
  passed: number;
  /** Requirement id → times it was missing. */
  missing: Record<string, number>;
}

/** The standards an aggregate was computed against: a change makes stored aggregates stale. */
export interface Standards {
  /** Service id → completion standard in minutes (services without one are absent). */
  completion: Record<string, number>;
  waitTargetMinutes: number | null;
}

export function standardsOf(office: OfficeConfig): Standards {
  const completion: Record<string, number> = {};
  for (const s of office.services) if (s.standardMinutes != null) completion[s.id] = s.standardMinutes;
  return { completion, waitTargetMinutes: office.waitTargetMinutes ?? null };
}

export function standardsKey(s: Standards): string {
  const keys = Object.keys(s.completion).sort();
  return JSON.stringify([keys.map((k) => [k, s.completion[k]]), s.waitTargetMinutes]);
}

/** The slices every aggregate (a day, a month, a range) has. */
export interface Slices {
  total: Cell;
  services: Record<string, Cell>;
  counters: Record<string, Cell>;
  staff: Record<string, Cell>;
  /** Staff id → name as signed in. */
  staffNames: Record<string, string>;
  /** Local hour "00".."23" → cell. */
  hours: Record<string, Cell>;
  breaches: Breach[];
  /** Service id → sub-case id → outcomes. */
  precheck: Record<string, Record<string, PrecheckCell>>;
}

export interface DayAggregate extends Slices {
  format: number;
  officeId: string;
  officeDay: string;
  /** The commits it covers (the day's version). */
  version: number;
  /** Computed after the day ended (kept); false = a day still open (computed live, not kept). */
  closed: boolean;
  standardsKey: string;
  /** A month's roll-up (officeDay "YYYY-MM"): each day's total. Absent on a day's own aggregate. */
  byDay?: Record<string, Cell>;
  /**
   * A roll-up keeps no breach list (its days do: a year's list would cost what its
   * days cost), only how many there were.
   */
  breachCount?: number;
}

export interface DayInput {
  officeId: string;
  officeDay: string;
  commits: readonly Commit[];
  standards: Standards;
  /** Minutes the office's local time is ahead of UTC (Indonesia has no summer time). */
  utcOffsetMinutes: number;
  /** Where open pauses and open counters end: the last event of a closed day, or now for a day still open. */
  end: string;
  closed: boolean;
}

interface CounterTrack {
  open: boolean;
  ticketId: string | null;
  paused: string | null;
  mark: number;
}

function cellIn(map: Record<string, Cell>, key: string): Cell {
  let c = map[key];
  if (!c) map[key] = c = emptyCell();
  return c;
}

const MIN = 60;

/** Folds one office day's commits (in version order) into its aggregate. */
export function aggregateDay(input: DayInput): DayAggregate {
  const agg: DayAggregate = {
    format: AGGREGATE_FORMAT,
    officeId: input.officeId,
    officeDay: input.officeDay,
    version: input.commits.length ? input.commits[input.commits.length - 1]!.version : 0,
    closed: input.closed,
    standardsKey: standardsKey(input.standards),
    total: emptyCell(),
    services: {},
    counters: {},
    staff: {},
    staffNames: {},
    hours: {},
    breaches: [],
    precheck: {},
  };
  const offsetMs = input.utcOffsetMinutes * 60_000;
  const hourOf = (ms: number): string => String(Math.floor((((ms + offsetMs) % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000)).padStart(2, '0');
  const tickets = new Map<string, Ticket>();
  /** Who called each ticket last (staff attribution of its service). */
  const calledBy = new Map<string, string | null>();
  const firstWaitDone = new Set<string>();
  const counters = new Map<string, CounterTrack>();
  const target = input.standards.waitTargetMinutes;

  /** Adds `fn(cells, seconds)` for the span split across local hours. */
  const spanHours = (from: number, to: number, add: (c: Cell, s: number) => void) => {
    let t = from;
    while (t < to) {
      const next = Math.min(to, Math.floor((t + offsetMs) / 3_600_000 + 1) * 3_600_000 - offsetMs);
      add(cellIn(agg.hours, hourOf(t)), (next - t) / 1000);
      t = next;
    }
  };
  /** Counts a counter's time since its last mark under what it was doing. */
  const settle = (id: string, at: number) => {
    const c = counters.get(id);
    if (!c) return;
    if (at > c.mark && c.open) {
      const secs = (at - c.mark) / 1000;
      const cc = cellIn(agg.counters, id);
      cc.openSeconds += secs;
      agg.total.openSeconds += secs;
      spanHours(c.mark, at, (h, s) => (h.openSeconds += s));
      if (c.paused) {
        cc.pause[c.paused] = (cc.pause[c.paused] ?? 0) + secs;
        agg.total.pause[c.paused] = (agg.total.pause[c.paused] ?? 0) + secs;
      } else if (!c.ticketId) {
        cc.idleSeconds += secs;
        agg.total.idleSeconds += secs;
      }
    }
    c.mark = Math.max(c.mark, at);
  };
  const track = (id: string, at: number): CounterTrack => {
    let c = counters.get(id);
    if (!c) counters.set(id, (c = { open: false, ticketId: null, paused: null, mark: at }));
    settle(id, at);
    return c;
  };
  const letGo = (counterId: string | null, ticketId: string, at: number) => {
    if (!counterId) return;
    const c = track(counterId, at);
    if (c.ticketId === ticketId) c.ticketId = null;
  };
  const cellsOf = (t: Ticket, at: number, counterId: string | null, staffId: string | null | undefined): Cell[] => {
    const out = [agg.total, cellIn(agg.services, t.serviceId), cellIn(agg.hours, hourOf(at))];
    if (counterId) out.push(cellIn(agg.counters, counterId));
    if (staffId) out.push(cellIn(agg.staff, staffId));
    return out;
  };
  const serviceSample = (t: Ticket, at: number, counterId: string | null) => {
    const from = t.startedAt ?? t.calledAt;
    if (!from) return;
    const secs = Math.max(0, (at - Date.parse(from)) / 1000);
    for (const c of cellsOf(t, at, counterId, calledBy.get(t.id))) addSample(c.service, secs);
  };

  for (const commit of input.commits) {
    for (const e of commit.events as QueueEvent[]) {
      const at = Date.parse(e.at);
      switch (e.type) {
        case 'ticket_issued': {
          const t = { ...e.ticket };
          tickets.set(t.id, t);
          for (const c of [agg.total, cellIn(agg.services, t.serviceId), cellIn(agg.hours, hourOf(at))]) {
            c.issued += 1;
            c[t.source] += 1;
            if (t.priority) c.priority += 1;
          }
          if (t.precheck?.passed) precheckCell(agg, t.serviceId, t.precheck.subcase).passed += 1;
          break;
        }
        case 'ticket_called': {
          const t = tickets.get(e.ticketId);
          if (!t) break;
          const staffId = e.actor.kind === 'user' ? e.actor.id : null;
          if (staffId) agg.staffNames[staffId] = e.actor.name ?? staffId;
          calledBy.set(t.id, staffId);
          const c = track(e.counterId, at);
          c.open = true;
          c.ticketId = t.id;
          // A wait is measured once per stay in a queue: a ticket returned to the queue and called again waits again from queuedAt.
          const waitSecs = Math.max(0, (at - Date.parse(t.queuedAt)) / 1000);
          for (const cell of cellsOf(t, at, e.counterId, staffId)) addSample(cell.wait, waitSecs);
          if (target != null && waitSecs > target * MIN) {
            for (const cell of cellsOf(t, at, e.counterId, staffId)) cell.waitBreaches += 1;
            agg.breaches.push({ kind: 'wait', number: t.number, officeDay: input.officeDay, serviceId: t.serviceId, minutes: round1(waitSecs / MIN), limitMinutes: target, at: e.at });
          }
          if (!firstWaitDone.has(t.id)) {
            firstWaitDone.add(t.id);
            // The score is eta-accuracy.ts's (GET /offices/{office}/eta-accuracy publishes the same).
            const score = scoreEta(t, at);
            const cells = [agg.total, cellIn(agg.services, t.serviceId), cellIn(agg.hours, hourOf(Date.parse(t.issuedAt)))];
            for (const cell of cells) {
              cell.etaN += 1;
              cell.etaAbsErrMin += score.pointAbsErrMin;
              if (score.inside !== null) {
                cell.etaRanged += 1;
                if (score.inside) cell.etaInside += 1;
              }
            }
          }
          t.state = 'called';
          t.counterId = e.counterId;
          t.calledAt = e.at;
          t.startedAt = null;
          break;
        }
        case 'service_started': {
          const t = tickets.get(e.ticketId);
          if (t) {
            t.state = 'serving';
            t.startedAt = e.at;
          }
          break;
        }
        case 'ticket_finished': {
          const t = tickets.get(e.ticketId);
          if (!t) break;
          serviceSample(t, at, e.counterId);
          for (const c of cellsOf(t, at, e.counterId, calledBy.get(t.id))) c.served += 1;
          letGo(e.counterId, t.id, at);
          if (e.outcome === 'done') {
            const secs = Math.max(0, (at - Date.parse(t.issuedAt)) / 1000);
            const cells = [agg.total, cellIn(agg.services, t.serviceId), cellIn(agg.hours, hourOf(at))];
            for (const c of cells) addSample(c.completion, secs);
            const std = input.standards.completion[t.serviceId];
            if (std != null && secs > std * MIN) {
              for (const c of cells) c.completionBreaches += 1;
              agg.breaches.push({ kind: 'completion', number: t.number, officeDay: input.officeDay, serviceId: t.serviceId, minutes: round1(secs / MIN), limitMinutes: std, at: e.at });
            }
          }
          t.state = 'done';
          t.counterId = null;
          break;
        }
        case 'ticket_no_show': {
          const t = tickets.get(e.ticketId);
          if (!t) break;
          for (const c of cellsOf(t, at, e.counterId, e.counterId ? calledBy.get(t.id) : null)) c.noShow += 1;
          letGo(e.counterId ?? t.counterId, t.id, at);
          t.state = 'no_show';
          t.counterId = null;
          break;
        }
        case 'ticket_reinstated': {
          const t = tickets.get(e.ticketId);
          if (!t) break;
          // Back in the queue in its old place: the count of no-shows stands corrected.
          for (const c of [agg.total, cellIn(agg.services, t.serviceId)]) c.noShow = Math.max(0, c.noShow - 1);
          t.state = 'waiting';
          break;
        }
        case 'ticket_transferred': {
          const t = tickets.get(e.ticketId);
          if (!t) break;
          if (t.state === 'serving') serviceSample(t, at, e.fromCounterId);
          for (const c of cellsOf(t, at, e.fromCounterId, e.fromCounterId ? calledBy.get(t.id) : null)) c.transferred += 1;
          letGo(e.fromCounterId ?? t.counterId, t.id, at);
          t.state = 'waiting';
          t.serviceId = e.toServiceId;
          t.queuedAt = e.at;
          t.calledAt = null;
          t.startedAt = null;
          t.counterId = null;
          break;
        }
        case 'ticket_parked': {
          const t = tickets.get(e.ticketId);
          if (t) t.state = 'parked';
          letGo(e.counterId, e.ticketId, at);
          break;
        }
        case 'ticket_cancelled': {
          const t = tickets.get(e.ticketId);
          if (!t) break;
          for (const c of [agg.total, cellIn(agg.services, t.serviceId), cellIn(agg.hours, hourOf(at))]) c.cancelled += 1;
          letGo(e.counterId ?? t.counterId, t.id, at);
          t.state = 'cancelled';
          break;
        }
        case 'counter_paused': {
          const c = track(e.counterId, at);
          c.open = true;
          c.paused = e.reason;
          break;
        }
        case 'counter_resumed': {
          const c = track(e.counterId, at);
          c.paused = null;
          break;
        }
        case 'counter_configured':
        case 'counter_signed_in': {
          const c = track(e.counterId, at);
          c.open = true;
          if (e.actor.kind === 'user') agg.staffNames[e.actor.id] = e.actor.name ?? e.actor.id;
          break;
        }
        case 'counter_signed_out': {
          const c = track(e.counterId, at);
          c.open = false;
          c.paused = null;
          break;
        }
        case 'precheck_failed': {
          const p = precheckCell(agg, e.serviceId, e.subcase);
          p.failed += 1;
          if (e.source === 'booking') p.booking += 1;
          else p.kiosk += 1;
          for (const m of e.missing) p.missing[m] = (p.missing[m] ?? 0) + 1;
          break;
        }
        default:
          break;
      }
    }
  }
  const end = Date.parse(input.end);
  for (const id of counters.keys()) settle(id, end);
  return agg;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function precheckCell(agg: DayAggregate, serviceId: string, subcase: string): PrecheckCell {
  const s = (agg.precheck[serviceId] ??= {});
  return (s[subcase] ??= { failed: 0, kiosk: 0, booking: 0, passed: 0, missing: {} });
}

/** The end of a closed day's activity: its last event (open pauses and counters stop there). */
export function lastEventAt(commits: readonly Commit[], fallback: string): string {
  const last = commits[commits.length - 1]?.events.at(-1);
  return last?.at ?? fallback;
}

/** Whether a stored aggregate still stands for the day under the office's current standards. */
export function aggregateIsCurrent(agg: DayAggregate | null | undefined, standards: Standards): agg is DayAggregate {
  return !!agg && agg.format === AGGREGATE_FORMAT && agg.closed && agg.standardsKey === standardsKey(standards);
}

// ------------------------------------------------------------------ ranges

export interface RangeAggregate extends Slices {
  days: number;
  from: string;
  to: string;
  /** Per office day, its total. */
  byDay: Record<string, Cell>;
  /** How many breaches (`breaches` lists those read from day aggregates; roll-ups only count). */
  breachCount: number;
}

function mergeInto(map: Record<string, Cell>, from: Record<string, Cell>): void {
  for (const [k, c] of Object.entries(from)) mergeCell(cellIn(map, k), c);
}

/** Merges day aggregates (any order) into one range. */
export function mergeDays(from: string, to: string, days: readonly DayAggregate[]): RangeAggregate {
  const r: RangeAggregate = { days: 0, from, to, total: emptyCell(), services: {}, counters: {}, staff: {}, staffNames: {}, hours: {}, byDay: {}, breaches: [], breachCount: 0, precheck: {} };
  for (const d of [...days].sort((a, b) => a.officeDay.localeCompare(b.officeDay))) {
    mergeCell(r.total, d.total);
    mergeInto(r.services, d.services);
    mergeInto(r.counters, d.counters);
    mergeInto(r.staff, d.staff);
    mergeInto(r.hours, d.hours);
    if (d.byDay) mergeInto(r.byDay, d.byDay);
    else mergeCell(cellIn(r.byDay, d.officeDay), d.total);
    Object.assign(r.staffNames, d.staffNames);
    for (const b of d.breaches) r.breaches.push(b);
    r.breachCount += d.breachCount ?? d.breaches.length;
    for (const [s, subs] of Object.entries(d.precheck)) {
      for (const [sub, p] of Object.entries(subs)) {
        const into = ((r.precheck[s] ??= {})[sub] ??= { failed: 0, kiosk: 0, booking: 0, passed: 0, missing: {} });
        into.failed += p.failed;
        into.kiosk += p.kiosk;
        into.booking += p.booking;
        into.passed += p.passed;
        for (const [m, n] of Object.entries(p.missing)) into.missing[m] = (into.missing[m] ?? 0) + n;
      }
    }
  }
  r.days = Object.keys(r.byDay).length;
  return r;
}

/** A closed calendar month's days merged into one kept aggregate (officeDay "YYYY-MM"), so a year reads twelve. */
export function monthRollup(officeId: string, month: string, standards: Standards, days: readonly DayAggregate[]): DayAggregate {
  const r = mergeDays(`${month}-01`, `${month}-31`, days);
  return {
    format: AGGREGATE_FORMAT,
    officeId,
    officeDay: month,
    version: 0,
    closed: true,
    standardsKey: standardsKey(standards),
    total: r.total,
    services: r.services,
    counters: r.counters,
    staff: r.staff,
    staffNames: r.staffNames,
    hours: r.hours,
    breaches: [],
    breachCount: r.breachCount,
    precheck: r.precheck,
    byDay: r.byDay,
  };
}

/** Splits from..to into whole calendar months that ended before `today` and the days left over. */
export function splitMonths(from: string, to: string, today: string): { months: string[]; days: string[] } {
  const months: string[] = [];
  const days: string[] = [];
  for (const d of daysBetween(from, to)) {
    const month = d.slice(0, 7);
    const first = `${month}-01`;
    const last = lastDayOf(month);
    if (first >= from && last <= to && last < today) {
      if (months[months.length - 1] !== month) months.push(month);
    } else days.push(d);
  }
  return { months, days };
}

export function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

// ------------------------------------------------------------------ figures (what tables show)

/** One table row's figures: minutes with one decimal, shares 0..1. */
export interface Figures {
  issued: number;
  served: number;
  noShow: number;
  cancelled: number;
  transferred: number;
  kiosk: number;
  booking: number;
  counter: number;
  api: number;
  priorityShare: number | null;
  waitP50: number | null;
  waitP90: number | null;
  waitMax: number | null;
  serviceP50: number | null;
  serviceP90: number | null;
  serviceMax: number | null;
  etaMae: number | null;
  etaInsideShare: number | null;
  pauseMinutes: Record<string, number>;
  openMinutes: number;
  idleMinutes: number;
}

const toMin = (s: number | null): number | null => (s == null ? null : round1(s / MIN));
const share = (n: number, of: number): number | null => (of > 0 ? Math.round((n / of) * 1000) / 1000 : null);

export function figuresOf(c: Cell): Figures {
  const pauseMinutes: Record<string, number> = {};
  for (const r of PAUSE_KEYS) pauseMinutes[r] = round1((c.pause[r] ?? 0) / MIN);
  return {
    issued: c.issued,
    served: c.served,
    noShow: c.noShow,
    cancelled: c.cancelled,
    transferred: c.transferred,
    kiosk: c.kiosk,
    booking: c.booking,
    counter: c.counter,
    api: c.api,
    priorityShare: share(c.priority, c.issued),
    waitP50: toMin(quantile(c.wait, 0.5)),
    waitP90: toMin(quantile(c.wait, 0.9)),
    waitMax: c.wait.n ? toMin(c.wait.max) : null,
    serviceP50: toMin(quantile(c.service, 0.5)),
    serviceP90: toMin(quantile(c.service, 0.9)),
    serviceMax: c.service.n ? toMin(c.service.max) : null,
    etaMae: c.etaN ? round1(c.etaAbsErrMin / c.etaN) : null,
    etaInsideShare: share(c.etaInside, c.etaRanged),
    pauseMinutes,
    openMinutes: round1(c.openSeconds / MIN),
    idleMinutes: round1(c.idleSeconds / MIN),
  };
}

export interface StandardRow {
  serviceId: string;
  standardMinutes: number | null;
  completed: number;
  completionP50: number | null;
  completionP90: number | null;
  completionMax: number | null;
  completionBreaches: number;
  completionBreachShare: number | null;
  waitTargetMinutes: number | null;
  waits: number;
  waitBreaches: number;
  waitBreachShare: number | null;
}

export function standardRows(r: RangeAggregate, standards: Standards, serviceIds: readonly string[]): StandardRow[] {
  const ids = [...new Set([...serviceIds, ...Object.keys(r.services)])];
  return ids.map((id) => {
    const c = r.services[id] ?? emptyCell();
    return {
      serviceId: id,
      standardMinutes: standards.completion[id] ?? null,
      completed: c.completion.n,
      completionP50: toMin(quantile(c.completion, 0.5)),
      completionP90: toMin(quantile(c.completion, 0.9)),
      completionMax: c.completion.n ? toMin(c.completion.max) : null,
      completionBreaches: c.completionBreaches,
      completionBreachShare: standards.completion[id] != null ? share(c.completionBreaches, c.completion.n) : null,
      waitTargetMinutes: standards.waitTargetMinutes,
      waits: c.wait.n,
      waitBreaches: c.waitBreaches,
      waitBreachShare: standards.waitTargetMinutes != null ? share(c.waitBreaches, c.wait.n) : null,
    };
  });
}

export interface PrecheckRow {
  serviceId: string;
  subcase: string;
  failed: number;
  kiosk: number;
  booking: number;
  passed: number;
  /** Of the pre-checks done, the share sent home. */
  failedShare: number | null;
  /** Missing items, most often first. */
  missing: { item: string; count: number }[];
}

export function precheckRows(r: RangeAggregate): PrecheckRow[] {
  const rows: PrecheckRow[] = [];
  for (const [serviceId, subs] of Object.entries(r.precheck)) {
    for (const [subcase, p] of Object.entries(subs)) {
      rows.push({
        serviceId,
        subcase,
        failed: p.failed,
        kiosk: p.kiosk,
        booking: p.booking,
        passed: p.passed,
        failedShare: share(p.failed, p.failed + p.passed),
        missing: Object.entries(p.missing)
          .map(([item, count]) => ({ item, count }))
          .sort((a, b) => b.count - a.count || a.item.localeCompare(b.item)),
      });
    }
  }
  return rows.sort((a, b) => b.failed - a.failed || a.serviceId.localeCompare(b.serviceId) || a.subcase.localeCompare(b.subcase));
}

/** Every missing document over the range, most often first (with the service and sub-case it belongs to). */
export function missingTotals(r: RangeAggregate): { serviceId: string; subcase: string; item: string; count: number }[] {
  const out: { serviceId: string; subcase: string; item: string; count: number }[] = [];
  for (const [serviceId, subs] of Object.entries(r.precheck)) for (const [subcase, p] of Object.entries(subs)) for (const [item, count] of Object.entries(p.missing)) out.push({ serviceId, subcase, item, count });
  return out.sort((a, b) => b.count - a.count || a.item.localeCompare(b.item));
}

/** Minutes the zone is ahead of UTC at an instant (Intl; no summer time in Indonesia, so one value per day). */
export function utcOffsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** The calendar days from..to inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let t = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  while (t <= end) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 86_400_000;
  }
  return out;
}
