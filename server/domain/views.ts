// What screens receive: a full snapshot on connect, then one delta per commit.
import type { OfficeConfig, QueueDelta, QueueEvent, QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { inReinstateWindow } from '../../protocol/rules.ts';
import { serviceStats } from './routing.ts';
import { allCounters, type Commit, type DayState } from './state.ts';

function visible(t: Ticket, office: OfficeConfig, nowMs: number): boolean {
  if (t.state === 'done' || t.state === 'cancelled') return false;
  if (t.state === 'no_show') return inReinstateWindow(t, office.rules.reinstateWindowMinutes, nowMs);
  return true;
}

export function snapshotOf(state: DayState, office: OfficeConfig, now: Date): QueueSnapshot {
  const nowMs = now.getTime();
  const tickets: Ticket[] = [];
  for (const t of state.tickets.values()) if (visible(t, office, nowMs)) tickets.push({ ...t });
  return {
    officeId: state.officeId,
    officeDay: state.officeDay,
    version: state.version,
    serverTime: now.toISOString(),
    tickets,
    counters: allCounters(state, office).map((c) => ({ ...c, services: [...c.services] })),
    services: serviceStats(state, office, nowMs),
    recentCalls: state.recentCalls.slice(-10).map((c) => ({ ...c })),
  };
}

function commitTime(commit: Commit): number | undefined {
  const at = commit.events[commit.events.length - 1]?.at;
  return at ? Date.parse(at) : undefined;
}

/** Screens never get a NIK's hash: staff see a booking's name and last 4 digits only (feeds.ts drops booking events for every other role). */
function redactBooking(e: QueueEvent): QueueEvent {
  return e.type === 'booking_held' ? { ...e, booking: { ...e.booking, nikHash: '' } } : e;
}

/** Booking events: staff only (feeds.ts). */
export function isBookingEvent(e: QueueEvent): boolean {
  return e.type.startsWith('booking_') || e.type.startsWith('slot_');
}

/** The delta for a commit already applied to `state`. */
/**
 * What a screen needs of one commit. `withRanges` false leaves out the
 * services' wait ranges (a simulation each): for commits applied from
 * another process or an office box, a batch at a time.
 */
export function deltaOf(state: DayState, office: OfficeConfig, commit: Commit, withRanges = true): QueueDelta {
  const ticketIds = new Set<string>();
  const counterIds = new Set<string>();
  for (const e of commit.events) {
    if (e.type === 'ticket_issued') ticketIds.add(e.ticket.id);
    else if ('ticketId' in e) ticketIds.add(e.ticketId);
    if ('counterId' in e && e.counterId) counterIds.add(e.counterId);
    if (e.type === 'ticket_transferred' && e.fromCounterId) counterIds.add(e.fromCounterId);
  }
  const tickets: Ticket[] = [];
  for (const id of ticketIds) {
    const t = state.tickets.get(id);
    if (t) tickets.push({ ...t });
  }
  const counters = allCounters(state, office)
    .filter((c) => counterIds.has(c.id))
    .map((c) => ({ ...c, services: [...c.services] }));
  return {
    officeId: state.officeId,
    officeDay: state.officeDay,
    version: commit.version,
    events: commit.events.some((e) => e.type === 'booking_held') ? commit.events.map(redactBooking) : commit.events,
    tickets,
    counters,
    // The commit's own time: the ranges are for a ticket issued at that moment.
    services: serviceStats(state, office, withRanges ? commitTime(commit) : undefined),
  };
}
