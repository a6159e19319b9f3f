// Which waiting ticket a counter gets on "call next", and the estimated wait.
import type { CounterState, OfficeConfig, ServiceStats, Ticket } from '../../protocol/model.ts';
import { allCounters, olderFirst, type DayState } from './state.ts';

export { olderFirst };

/** Precedence class: lower is called first. */
export const TicketClass = { TransferredWithPrecedence: 0, DueBooking: 1, Priority: 2, Regular: 3 } as const;
export type TicketClass = (typeof TicketClass)[keyof typeof TicketClass];

export function classOf(t: Ticket, nowIso: string): TicketClass {
  if (t.precedence) return TicketClass.TransferredWithPrecedence;
  if (t.source === 'booking' && t.bookingSlot !== null && t.bookingSlot <= nowIso) return TicketClass.DueBooking;
  if (t.priority) return TicketClass.Priority;
  return TicketClass.Regular;
}

export function isEligible(t: Ticket, counter: CounterState): boolean {
  if (t.state !== 'waiting') return false;
  if (t.targetCounterId !== null) return t.targetCounterId === counter.id;
  return counter.services.includes(t.serviceId);
}

/**
 * The best waiting ticket for a counter: transferred-in with precedence, then
 * due bookings, then priority groups (up to `priorityPerRegular` in a row
 * while regular tickets also wait), then the rest; within a class the
 * counter's first service before its later ones, then oldest first.
 */
export function pickNext(state: DayState, office: OfficeConfig, counter: CounterState, nowIso: string): Ticket | null {
  const rank = (t: Ticket): number => (t.targetCounterId === counter.id ? -1 : counter.services.indexOf(t.serviceId));
  const better = (a: Ticket, b: Ticket): boolean => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra < rb;
    return olderFirst(a, b) < 0;
  };
  const best: Array<Ticket | null> = [null, null, null, null];
  for (const id of state.waiting) {
    const t = state.tickets.get(id);
    if (!t || !isEligible(t, counter)) continue;
    const cls = classOf(t, nowIso);
    const cur = best[cls];
    if (!cur || better(t, cur)) best[cls] = t;
  }
  const [precedence = null, booking = null, priority = null, regular = null] = best;
  if (precedence) return precedence;
  if (booking) return booking;
  if (priority && regular) {
    const ratio = office.rules.priorityPerRegular;
    if (ratio <= 0) return better(priority, regular) ? priority : regular; // no preference: one class
    return counter.priorityStreak < ratio ? priority : regular;
  }
  return priority ?? regular;
}

function meanServiceSeconds(state: DayState, office: OfficeConfig, serviceId: string): number {
  const samples = state.serviceTimes.get(serviceId) ?? [];
  const recent = samples.slice(-Math.max(1, office.rules.etaSampleSize));
  if (recent.length === 0) return office.rules.defaultServiceMinutes * 60;
  return recent.reduce((a, b) => a + b, 0) / recent.length;
}

/** Per-service figures for screens: waiting count, oldest, estimated wait. */
export function serviceStats(state: DayState, office: OfficeConfig): ServiceStats[] {
  const counters = allCounters(state, office);
  return office.services.map((s) => {
    const waiting = state.waitingByService.get(s.id) ?? [];
    const serving = counters.filter((c) => c.paused === null && c.services.includes(s.id)).length;
    const issued = state.issued.get(s.id);
    return {
      serviceId: s.id,
      waiting: waiting.length,
      oldestWaitingSince: waiting[0]?.queuedAt ?? null,
      etaMinutes: etaMinutes(waiting.length, serving, meanServiceSeconds(state, office, s.id)),
      countersServing: serving,
      issuedToday: issued ? issued.walkIn + issued.online : 0,
      closedToday: state.closedServices.has(s.id),
    };
  });
}

/** People ahead ÷ counters serving × mean service time, in whole minutes. */
export function etaMinutes(ahead: number, countersServing: number, meanSeconds: number): number {
  if (ahead <= 0) return 0;
  return Math.ceil((ahead / Math.max(1, countersServing)) * meanSeconds / 60);
}

export function etaForNewTicket(state: DayState, office: OfficeConfig, serviceId: string): number {
  const ahead = state.waitingByService.get(serviceId)?.length ?? 0;
  const serving = allCounters(state, office).filter((c) => c.paused === null && c.services.includes(serviceId)).length;
  return etaMinutes(ahead, serving, meanServiceSeconds(state, office, serviceId));
}
