// What the counter screen derives from the queue snapshot: the ticket in hand,
// the tickets this counter may call (in the order "call next" would take
// them), parked and reinstatable tickets, figures. Pure, so tests need no DOM.
import type { CounterState, QueueSnapshot, ServiceStats, Ticket } from '../protocol/model.ts';
import type { Lang } from '../ui/i18n.svelte.ts';

export type CounterStatus = 'paused' | 'called' | 'serving' | 'idle';

export function counterIn(snap: QueueSnapshot | null, counterId: string | null): CounterState | null {
  if (!snap || !counterId) return null;
  return snap.counters.find((c) => c.id === counterId) ?? null;
}

export function heldTicket(snap: QueueSnapshot | null, counter: CounterState | null): Ticket | null {
  if (!snap || !counter?.ticketId) return null;
  return snap.tickets.find((t) => t.id === counter.ticketId) ?? null;
}

export function statusOf(counter: CounterState, held: Ticket | null): CounterStatus {
  if (counter.paused) return 'paused';
  if (held?.state === 'serving') return 'serving';
  if (held) return 'called';
  return 'idle';
}

/** Same test as the domain's routing: a ticket sent to a counter is for that counter only. */
export function isEligible(t: Ticket, counter: CounterState): boolean {
  if (t.state !== 'waiting') return false;
  if (t.targetCounterId !== null) return t.targetCounterId === counter.id;
  return counter.services.includes(t.serviceId);
}

/** 0 precedence, 1 due booking, 2 priority group, 3 regular (as the domain ranks them). */
export function classOf(t: Ticket, nowIso: string): number {
  if (t.precedence) return 0;
  if (t.source === 'booking' && t.bookingSlot !== null && t.bookingSlot <= nowIso) return 1;
  if (t.priority) return 2;
  return 3;
}

/**
 * The waiting tickets this counter may call, roughly in the order "call next"
 * would take them (the domain's priority ratio is left out: this is a list to
 * pick from, not a promise).
 */
export function callableTickets(snap: QueueSnapshot | null, counter: CounterState | null, nowIso: string): Ticket[] {
  if (!snap || !counter) return [];
  const rank = (t: Ticket) => (t.targetCounterId === counter.id ? -1 : counter.services.indexOf(t.serviceId));
  return snap.tickets
    .filter((t) => isEligible(t, counter))
    .sort((a, b) => classOf(a, nowIso) - classOf(b, nowIso) || rank(a) - rank(b) || olderFirst(a, b));
}

export function olderFirst(a: Ticket, b: Ticket): number {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt ? -1 : 1;
  if (a.issuedAt !== b.issuedAt) return a.issuedAt < b.issuedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function waitingTickets(snap: QueueSnapshot | null): Ticket[] {
  return snap ? snap.tickets.filter((t) => t.state === 'waiting').sort(olderFirst) : [];
}

export function parkedAt(snap: QueueSnapshot | null, counterId: string | null): Ticket[] {
  if (!snap || !counterId) return [];
  return snap.tickets.filter((t) => t.state === 'parked' && t.counterId === counterId).sort(olderFirst);
}

/** No-shows still inside the reinstate window (the snapshot keeps them until the next one). */
export function reinstatable(snap: QueueSnapshot | null, windowMinutes: number, nowMs: number): Ticket[] {
  if (!snap) return [];
  return snap.tickets
    .filter((t) => t.state === 'no_show' && t.finishedAt !== null && nowMs - Date.parse(t.finishedAt) <= windowMinutes * 60_000)
    .sort((a, b) => (a.finishedAt! < b.finishedAt! ? 1 : -1));
}

/** Figures of the services a counter serves, in its order. */
export function statsFor(snap: QueueSnapshot | null, services: string[]): ServiceStats[] {
  if (!snap) return [];
  return services.map((id) => snap.services.find((s) => s.serviceId === id)).filter((s): s is ServiceStats => s !== undefined);
}

export function meanServiceSeconds(counter: CounterState | null): number | null {
  if (!counter || counter.served === 0) return null;
  return counter.serviceSecondsTotal / counter.served;
}

/** Finds a ticket of the snapshot by number ("A001") or id ("2026-11-23/A001"). */
export function findTicket(snap: QueueSnapshot | null, ref: string): Ticket | null {
  if (!snap) return null;
  const id = ref.includes('/') ? ref : `${snap.officeDay}/${ref}`;
  return snap.tickets.find((t) => t.id === id) ?? null;
}

/** "< 1 mnt", "12 mnt", "1 j 05 mnt" — minutes are what a clerk acts on. */
export function formatDuration(ms: number, lang: Lang): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return lang === 'en' ? '< 1 min' : '< 1 mnt';
  if (min < 60) return lang === 'en' ? `${min} min` : `${min} mnt`;
  const h = Math.floor(min / 60);
  const rest = String(min % 60).padStart(2, '0');
  return lang === 'en' ? `${h} h ${rest} min` : `${h} j ${rest} mnt`;
}

export function since(iso: string | null, nowMs: number): number {
  return iso ? nowMs - Date.parse(iso) : 0;
}
