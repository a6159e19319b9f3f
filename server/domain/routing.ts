// Which waiting ticket a counter gets on "call next", and the estimated wait.
import type { CounterState, OfficeConfig, ServiceStats, Ticket } from '../../protocol/model.ts';
import { nextFor } from '../../protocol/rules.ts';
import { rangesForNewTickets } from './eta.ts';
import { allCounters, type DayState } from './state.ts';

// The order rules themselves live in protocol/rules.ts, shared with the counter page.
export { classOf, isEligible, olderFirst, TicketClass } from '../../protocol/rules.ts';

function* waitingTickets(state: DayState): Iterable<Ticket> {
  for (const id of state.waiting) {
    const t = state.tickets.get(id);
    if (t) yield t;
  }
}

/** The best waiting ticket for a counter (see nextFor in protocol/rules.ts). */
export function pickNext(state: DayState, office: OfficeConfig, counter: CounterState, nowIso: string): Ticket | null {
  return nextFor(waitingTickets(state), counter, nowIso, office.rules.priorityPerRegular);
}

function meanServiceSeconds(state: DayState, office: OfficeConfig, serviceId: string): number {
  const samples = state.serviceTimes.get(serviceId) ?? [];
  const recent = samples.slice(-Math.max(1, office.rules.etaSampleSize));
  if (recent.length === 0) return office.rules.defaultServiceMinutes * 60;
  return recent.reduce((a, b) => a + b, 0) / recent.length;
}

/** Per-service figures for screens: waiting count, oldest, estimated wait. */
export function serviceStats(state: DayState, office: OfficeConfig, now?: number): ServiceStats[] {
  const counters = allCounters(state, office);
  const ranges = now === undefined ? null : rangesForNewTickets(state, office, now);
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
      ...(ranges?.get(s.id) ? { waitRange: ranges.get(s.id)!.wait } : {}),
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
