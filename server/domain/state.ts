// The state of one office day and the reducer that applies committed events to
// it. The state is rebuilt from the journal by replaying commits in order.
import { classOf, olderFirst, TicketClass } from '../../protocol/rules.ts';
import type { Booking, CallView, CounterConfig, CounterState, OfficeConfig, QueueEvent, Ticket } from '../../protocol/model.ts';
import type { ArrivalProfile } from './eta.ts';

/** One committed command: what the journal stores, one line each. */
export interface Commit {
  version: number;
  /** Idempotency key and the command's fingerprint, when the command had a key. */
  key?: string;
  fingerprint?: string;
  /** The ticket the command acted on (returned again for a repeated key). */
  ticketId: string | null;
  events: QueueEvent[];
}

export interface DayState {
  officeId: string;
  officeDay: string;
  version: number;
  tickets: Map<string, Ticket>;
  /** Waiting ticket ids (insertion order is irrelevant; routing sorts). Change only through addWaiting/removeWaiting. */
  waiting: Set<string>;
  /** The same tickets per service, oldest first: counts and oldest in O(1), so a write's cost does not grow with the day. */
  waitingByService: Map<string, Ticket[]>;
  /** Last number given per ticket letter. */
  lastSeq: Map<string, number>;
  counters: Map<string, CounterState>;
  closedServices: Map<string, string>;
  idempotency: Map<string, { fingerprint: string; ticketId: string | null; version: number }>;
  /** Recent service durations in seconds per service, newest last. */
  serviceTimes: Map<string, number[]>;
  issued: Map<string, { walkIn: number; online: number }>;
  recentCalls: CallView[];
  /** When each ticket was last called or recalled (no-show timing). */
  lastCallAt: Map<string, string>;
  /** Kiosk pre-checks that ended in "what to bring", per service. */
  prechecksFailed: Map<string, number>;
  /** The same from the booking page, per service. */
  bookingPrechecksFailed: Map<string, number>;
  /** The bookings whose slot is on this day, with the indexes the rules read in O(1). */
  booking: BookingIndex;
  /** The counter that finished each done ticket (the survey records it for IKM per counter). */
  finishedBy: Map<string, string>;
  /** Tickets whose IKM survey is answered (one answer per ticket). */
  surveyed: Set<string>;
  /** Past days' arrivals by time of day (server/domain/eta.ts arrivalProfileOf), when the store has them: the wait estimate's shape of the day. */
  arrivalProfile?: ArrivalProfile;
  /** Today's arrivals as the wait estimate reads them (server/domain/eta.ts dayArrivals), kept by the reducer: an estimate never walks the day's tickets. */
  arrivals: ArrivalIndex;
}

/** The tickets issued today for one service (each ticket under its current service: a transfer moves it). */
export interface ServiceArrivals {
  /** Issue instants, ms, ascending; tickets[i] was issued at at[i]. */
  at: number[];
  tickets: Ticket[];
  /** Of them, in a priority group, and booking tickets. */
  priority: number;
  booked: number;
  /** Booking tickets with a slot: slot − issue, ms, ascending. */
  leads: number[];
}

export interface ArrivalIndex {
  /** Service id → its arrivals (a service no longer configured stays here; the estimate skips it). */
  byService: Map<string, ServiceArrivals>;
  /** Every service's leads together, ascending. */
  leads: number[];
}

/** Index of the first element of the ascending `xs` greater than `x`. */
export function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(xs: number[], x: number): void {
  if (xs.length === 0 || xs[xs.length - 1]! <= x) xs.push(x);
  else xs.splice(upperBound(xs, x), 0, x);
}

function removeSorted(xs: number[], x: number): void {
  const i = upperBound(xs, x) - 1;
  if (i >= 0 && xs[i] === x) xs.splice(i, 1);
}

/** A booking ticket's lead (slot − issue, ms), null for another ticket. */
export function leadOf(t: Ticket, issuedAt: number): number | null {
  return t.source === 'booking' && t.bookingSlot ? Date.parse(t.bookingSlot) - issuedAt : null;
}

function serviceArrivals(ix: ArrivalIndex, serviceId: string): ServiceArrivals {
  let a = ix.byService.get(serviceId);
  if (!a) ix.byService.set(serviceId, (a = { at: [], tickets: [], priority: 0, booked: 0, leads: [] }));
  return a;
}

/** Files `t` (issued at `at`, ms) under `serviceId`; `withLead`: also in the all-services leads. */
function addArrival(ix: ArrivalIndex, serviceId: string, t: Ticket, at: number, withLead: boolean): void {
  const a = serviceArrivals(ix, serviceId);
  // Almost always the newest: append without searching.
  if (a.at.length === 0 || a.at[a.at.length - 1]! <= at) {
    a.at.push(at);
    a.tickets.push(t);
  } else {
    const i = upperBound(a.at, at);
    a.at.splice(i, 0, at);
    a.tickets.splice(i, 0, t);
  }
  if (t.priority) a.priority += 1;
  if (t.source === 'booking') a.booked += 1;
  const lead = leadOf(t, at);
  if (lead !== null) {
    insertSorted(a.leads, lead);
    if (withLead) insertSorted(ix.leads, lead);
  }
}

function removeArrival(ix: ArrivalIndex, serviceId: string, t: Ticket, at: number, withLead: boolean): void {
  const a = ix.byService.get(serviceId);
  if (!a) return;
  let i = upperBound(a.at, at) - 1;
  while (i >= 0 && a.at[i] === at && a.tickets[i] !== t) i -= 1;
  if (i < 0 || a.tickets[i] !== t) return;
  a.at.splice(i, 1);
  a.tickets.splice(i, 1);
  if (t.priority) a.priority -= 1;
  if (t.source === 'booking') a.booked -= 1;
  const lead = leadOf(t, at);
  if (lead !== null) {
    removeSorted(a.leads, lead);
    if (withLead) removeSorted(ix.leads, lead);
  }
}

/** Places of one slot of one service: counters, never a scan of bookings. */
export interface SlotCount {
  /** Confirmed bookings (checked-in and no-show ones keep their place). */
  confirmed: number;
  /** Live holds: code → when the hold expires (ISO). */
  holds: Map<string, string>;
  /** The holds were added in the order they expire (one hold time): readers stop at the first live one. */
  holdsOrdered: boolean;
  /** The latest expiry added since the holds were last empty. */
  lastHold: string;
  /** Cancelled places not back yet: when each comes back (ISO), oldest first. */
  returning: string[];
  /** Confirmed bookings neither checked in nor marked no-show yet (the sweep's work). */
  open: Set<string>;
}

export interface BookingIndex {
  byCode: Map<string, Booking>;
  /** Key slotKey(serviceId, slot). */
  slots: Map<string, SlotCount>;
  /** NIK hash → codes of that NIK on this day (any state). */
  byNik: Map<string, string[]>;
  /** Held, confirmed or checked-in bookings per service (the online quota). */
  activeByService: Map<string, number>;
  /** slotKey(serviceId or '*', slot) → reason. */
  blocked: Map<string, string>;
  /** NIK hash → no-shows on this day. */
  noShowsByNik: Map<string, number>;
  counts: { confirmed: number; checkedIn: number; noShow: number; cancelled: number };
}

export function slotKey(serviceId: string | null, slot: string): string {
  return `${serviceId ?? '*'} ${slot}`;
}

export function emptyBookingIndex(): BookingIndex {
  return { byCode: new Map(), slots: new Map(), byNik: new Map(), activeByService: new Map(), blocked: new Map(), noShowsByNik: new Map(), counts: { confirmed: 0, checkedIn: 0, noShow: 0, cancelled: 0 } };
}

export const MAX_SERVICE_SAMPLES = 50;
export const MAX_RECENT_CALLS = 20;

export function emptyDay(officeId: string, officeDay: string): DayState {
  return {
    officeId,
    officeDay,
    version: 0,
    tickets: new Map(),
    waiting: new Set(),
    waitingByService: new Map(),
    lastSeq: new Map(),
    counters: new Map(),
    closedServices: new Map(),
    idempotency: new Map(),
    serviceTimes: new Map(),
    issued: new Map(),
    recentCalls: [],
    prechecksFailed: new Map(),
    bookingPrechecksFailed: new Map(),
    lastCallAt: new Map(),
    booking: emptyBookingIndex(),
    finishedBy: new Map(),
    surveyed: new Set(),
    arrivals: { byService: new Map(), leads: [] },
  };
}

export function defaultCounterState(cfg: CounterConfig): CounterState {
  return {
    id: cfg.id,
    services: [...cfg.services],
    paused: null,
    autoCallNext: cfg.autoCallNext ?? false,
    ticketId: null,
    staff: null,
    priorityStreak: 0,
    served: 0,
    serviceSecondsTotal: 0,
  };
}

/** A counter's state today, or its configured default when untouched today. */
export function counterOf(state: DayState, office: OfficeConfig, counterId: string): CounterState | undefined {
  const known = state.counters.get(counterId);
  if (known) return known;
  const cfg = office.counters.find((c) => c.id === counterId);
  return cfg ? defaultCounterState(cfg) : undefined;
}

export function allCounters(state: DayState, office: OfficeConfig): CounterState[] {
  return office.counters.map((c) => state.counters.get(c.id) ?? defaultCounterState(c));
}

export { olderFirst };

/** Index of `t` in a list sorted by olderFirst, or where it would go. */
function position(list: Ticket[], t: Ticket): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (olderFirst(list[mid]!, t) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addWaiting(state: DayState, t: Ticket): void {
  if (state.waiting.has(t.id)) return;
  state.waiting.add(t.id);
  let list = state.waitingByService.get(t.serviceId);
  if (!list) state.waitingByService.set(t.serviceId, (list = []));
  // Almost always the newest: append without searching.
  const last = list[list.length - 1];
  if (!last || olderFirst(last, t) < 0) list.push(t);
  else list.splice(position(list, t), 0, t);
}

function removeWaiting(state: DayState, t: Ticket): void {
  if (!state.waiting.delete(t.id)) return;
  const list = state.waitingByService.get(t.serviceId);
  if (!list) return;
  const i = position(list, t);
  if (list[i] === t) list.splice(i, 1);
  else {
    const j = list.indexOf(t);
    if (j >= 0) list.splice(j, 1);
  }
}

function mustTicket(state: DayState, id: string): Ticket {
  const t = state.tickets.get(id);
  if (!t) throw new Error(`journal refers to unknown ticket ${id}`);
  return t;
}

function counterForWrite(state: DayState, office: OfficeConfig, id: string): CounterState {
  let c = state.counters.get(id);
  if (!c) {
    const cfg = office.counters.find((x) => x.id === id) ?? { id, name: id, word: 'loket', services: [] };
    c = defaultCounterState(cfg);
    state.counters.set(id, c);
  }
  return c;
}

function seconds(fromIso: string | null, toIso: string): number {
  if (!fromIso) return 0;
  return Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}

/** A counter let go of a ticket it was working on: count the work done. */
function release(state: DayState, office: OfficeConfig, t: Ticket, at: string, counted: boolean): void {
  if (!t.counterId) return;
  const c = counterForWrite(state, office, t.counterId);
  if (c.ticketId === t.id) c.ticketId = null;
  if (counted) {
    const secs = seconds(t.startedAt ?? t.calledAt, at);
    c.served += 1;
    c.serviceSecondsTotal += secs;
    const samples = state.serviceTimes.get(t.serviceId) ?? [];
    samples.push(secs);
    if (samples.length > MAX_SERVICE_SAMPLES) samples.shift();
    state.serviceTimes.set(t.serviceId, samples);
  }
  t.counterId = null;
}

function pushCall(state: DayState, t: Ticket, counterId: string, at: string, recall: boolean): void {
  state.recentCalls.push({ ticketId: t.id, number: t.number, serviceId: t.serviceId, counterId, at, recall });
  if (state.recentCalls.length > MAX_RECENT_CALLS) state.recentCalls.shift();
}

/** Applies one event in place. Only ever called with events `decide` produced. */
export function applyEvent(state: DayState, office: OfficeConfig, e: QueueEvent): void {
  switch (e.type) {
    case 'ticket_issued': {
      const t = { ...e.ticket };
      const before = state.tickets.get(t.id);
      if (before) removeArrival(state.arrivals, before.serviceId, before, Date.parse(before.issuedAt), true);
      state.tickets.set(t.id, t);
      addArrival(state.arrivals, t.serviceId, t, Date.parse(t.issuedAt), true);
      addWaiting(state, t);
      state.lastSeq.set(t.number.slice(0, 1), t.seq);
      const n = state.issued.get(t.serviceId) ?? { walkIn: 0, online: 0 };
      if (t.source === 'booking') n.online += 1;
      else n.walkIn += 1;
      state.issued.set(t.serviceId, n);
      return;
    }
    case 'ticket_called': {
      const t = mustTicket(state, e.ticketId);
      const c = counterForWrite(state, office, e.counterId);
      if (e.mode === 'next' || e.mode === 'auto') {
        // Only priority and regular calls move the ratio; precedence and due bookings leave it as it was.
        const cls = classOf(t, e.at);
        if (cls === TicketClass.Priority) c.priorityStreak += 1;
        else if (cls === TicketClass.Regular) c.priorityStreak = 0;
      }
      state.lastCallAt.set(t.id, e.at);
      removeWaiting(state, t);
      t.state = 'called';
      t.counterId = e.counterId;
      t.calledAt = e.at;
      t.calls += 1;
      t.precedence = false;
      t.targetCounterId = null;
      c.ticketId = t.id;
      pushCall(state, t, e.counterId, e.at, false);
      return;
    }
    case 'ticket_recalled': {
      const t = mustTicket(state, e.ticketId);
      t.calls += 1;
      state.lastCallAt.set(t.id, e.at);
      pushCall(state, t, e.counterId, e.at, true);
      return;
    }
    case 'service_started': {
      const t = mustTicket(state, e.ticketId);
      t.state = 'serving';
      t.startedAt = e.at;
      return;
    }
    case 'ticket_finished': {
      const t = mustTicket(state, e.ticketId);
      release(state, office, t, e.at, true);
      t.state = 'done';
      t.finishedAt = e.at;
      t.outcome = e.outcome;
      state.finishedBy.set(t.id, e.counterId);
      return;
    }
    case 'ticket_no_show': {
      const t = mustTicket(state, e.ticketId);
      release(state, office, t, e.at, false);
      removeWaiting(state, t);
      t.state = 'no_show';
      t.finishedAt = e.at;
      return;
    }
    case 'ticket_reinstated': {
      const t = mustTicket(state, e.ticketId);
      // Back in its original place in the queue: queuedAt is kept.
      t.state = 'waiting';
      t.finishedAt = null;
      t.counterId = null;
      addWaiting(state, t);
      return;
    }
    case 'ticket_transferred': {
      const t = mustTicket(state, e.ticketId);
      // A ticket sent on before service started (wrong counter) is not a service sample.
      release(state, office, t, e.at, t.state === 'serving');
      removeWaiting(state, t); // re-filed below under its new service and time
      if (t.serviceId !== e.toServiceId) {
        const issuedAt = Date.parse(t.issuedAt);
        removeArrival(state.arrivals, t.serviceId, t, issuedAt, false);
        addArrival(state.arrivals, e.toServiceId, t, issuedAt, false);
      }
      t.state = 'waiting';
      t.serviceId = e.toServiceId;
      t.targetCounterId = e.toCounterId;
      t.precedence = e.precedence;
      t.queuedAt = e.at;
      t.calledAt = null;
      t.startedAt = null;
      t.transfers += 1;
      addWaiting(state, t);
      return;
    }
    case 'ticket_parked': {
      const t = mustTicket(state, e.ticketId);
      const c = counterForWrite(state, office, e.counterId);
      if (c.ticketId === t.id) c.ticketId = null;
      t.state = 'parked';
      return;
    }
    case 'ticket_cancelled': {
      const t = mustTicket(state, e.ticketId);
      release(state, office, t, e.at, false);
      removeWaiting(state, t);
      t.state = 'cancelled';
      t.finishedAt = e.at;
      return;
    }
    case 'counter_paused': {
      counterForWrite(state, office, e.counterId).paused = { reason: e.reason, note: e.note, since: e.at };
      return;
    }
    case 'counter_resumed': {
      counterForWrite(state, office, e.counterId).paused = null;
      return;
    }
    case 'counter_configured': {
      const c = counterForWrite(state, office, e.counterId);
      c.services = [...e.services];
      c.autoCallNext = e.autoCallNext;
      // Whoever sets a counter up works there (as before sign_in existed), except a
      // supervisor changing the settings of a counter someone else is signed in to.
      const lead = e.actor.role === 'supervisor' || e.actor.role === 'admin';
      if (!lead || c.staff === null || c.staff.id === e.actor.id) c.staff = e.actor;
      return;
    }
    case 'counter_signed_in': {
      counterForWrite(state, office, e.counterId).staff = e.actor;
      return;
    }
    case 'counter_signed_out': {
      counterForWrite(state, office, e.counterId).staff = null;
      return;
    }
    case 'service_closed':
      state.closedServices.set(e.serviceId, e.reason);
      return;
    case 'service_reopened':
      state.closedServices.delete(e.serviceId);
      return;
    case 'precheck_failed': {
      const map = e.source === 'booking' ? state.bookingPrechecksFailed : state.prechecksFailed;
      map.set(e.serviceId, (map.get(e.serviceId) ?? 0) + 1);
      return;
    }
    case 'booking_held':
    case 'booking_confirmed':
    case 'booking_released':
    case 'booking_cancelled':
    case 'booking_checked_in':
    case 'booking_no_show':
    case 'slot_blocked':
    case 'slot_unblocked':
      applyBookingEvent(state.booking, e);
      return;
    case 'survey_answered':
      state.surveyed.add(e.ticketId);
      return;
  }
}

function addHold(slot: SlotCount, code: string, until: string): void {
  if (slot.holds.size === 0) {
    slot.holdsOrdered = true;
    slot.lastHold = until;
  } else if (until < slot.lastHold) slot.holdsOrdered = false;
  else slot.lastHold = until;
  slot.holds.set(code, until);
}

function slotOf(ix: BookingIndex, b: Booking): SlotCount {
  const k = slotKey(b.serviceId, b.slot);
  let s = ix.slots.get(k);
  if (!s) ix.slots.set(k, (s = { confirmed: 0, holds: new Map(), holdsOrdered: true, lastHold: '', returning: [], open: new Set() }));
  return s;
}

function mustBooking(ix: BookingIndex, code: string): Booking {
  const b = ix.byCode.get(code);
  if (!b) throw new Error(`journal refers to unknown booking ${code}`);
  return b;
}

function addActive(ix: BookingIndex, serviceId: string, n: number): void {
  ix.activeByService.set(serviceId, (ix.activeByService.get(serviceId) ?? 0) + n);
}

/** The booking part of the reducer: keeps every counter in step with the bookings. */
function applyBookingEvent(ix: BookingIndex, e: Extract<QueueEvent, { type: `booking_${string}` | `slot_${string}` }>): void {
  switch (e.type) {
    case 'booking_held': {
      const b: Booking = { ...e.booking };
      ix.byCode.set(b.code, b);
      const codes = ix.byNik.get(b.nikHash);
      if (codes) codes.push(b.code);
      else ix.byNik.set(b.nikHash, [b.code]);
      addActive(ix, b.serviceId, 1);
      const slot = slotOf(ix, b);
      if (b.state === 'confirmed') {
        slot.confirmed += 1;
        slot.open.add(b.code);
        ix.counts.confirmed += 1;
      } else addHold(slot, b.code, b.holdExpiresAt ?? e.at);
      return;
    }
    case 'booking_confirmed': {
      const b = mustBooking(ix, e.code);
      const slot = slotOf(ix, b);
      slot.holds.delete(b.code);
      slot.confirmed += 1;
      slot.open.add(b.code);
      ix.counts.confirmed += 1;
      b.state = 'confirmed';
      b.confirmedAt = e.at;
      b.holdExpiresAt = null;
      return;
    }
    case 'booking_released': {
      const b = mustBooking(ix, e.code);
      slotOf(ix, b).holds.delete(b.code);
      addActive(ix, b.serviceId, -1);
      b.state = 'released';
      b.holdExpiresAt = null;
      b.endedAt = e.at;
      return;
    }
    case 'booking_cancelled': {
      const b = mustBooking(ix, e.code);
      const slot = slotOf(ix, b);
      if (b.state === 'held') slot.holds.delete(b.code);
      else {
        slot.confirmed -= 1;
        slot.open.delete(b.code);
        ix.counts.confirmed -= 1;
        // The place stays taken until returnsAt; drop the ones already back.
        while (slot.returning.length > 0 && slot.returning[0]! <= e.at) slot.returning.shift();
        slot.returning.push(e.returnsAt);
      }
      addActive(ix, b.serviceId, -1);
      ix.counts.cancelled += 1;
      b.state = 'cancelled';
      b.holdExpiresAt = null;
      b.endedAt = e.at;
      return;
    }
    case 'booking_checked_in': {
      const b = mustBooking(ix, e.code);
      slotOf(ix, b).open.delete(b.code);
      b.state = 'checked_in';
      b.ticketId = e.ticketId;
      b.endedAt = e.at;
      ix.counts.checkedIn += 1;
      return;
    }
    case 'booking_no_show': {
      const b = mustBooking(ix, e.code);
      slotOf(ix, b).open.delete(b.code);
      b.state = 'no_show';
      b.endedAt = e.at;
      addActive(ix, b.serviceId, -1);
      ix.counts.noShow += 1;
      ix.noShowsByNik.set(b.nikHash, (ix.noShowsByNik.get(b.nikHash) ?? 0) + 1);
      return;
    }
    case 'slot_blocked':
      ix.blocked.set(slotKey(e.serviceId, e.slot), e.reason);
      return;
    case 'slot_unblocked':
      ix.blocked.delete(slotKey(e.serviceId, e.slot));
      return;
  }
}

export function applyCommit(state: DayState, office: OfficeConfig, commit: Commit): void {
  for (const e of commit.events) applyEvent(state, office, e);
  if (commit.key && commit.fingerprint) {
    state.idempotency.set(commit.key, { fingerprint: commit.fingerprint, ticketId: commit.ticketId, version: commit.version });
  }
  state.version = commit.version;
}
