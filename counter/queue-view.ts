// What the counter screen derives from the queue snapshot: the ticket in hand,
// the tickets this counter may call (in the order "call next" would take
// them), parked and reinstatable tickets, figures, and why a button is off
// now. The rules come from protocol/rules.ts, as the domain's do. Pure, so
// tests need no DOM.
import type { ErrorCode } from '../protocol/errors.ts';
import type { Actor, Bilingual, CounterState, QueueSnapshot, ServiceStats, Ticket } from '../protocol/model.ts';
import { callOrder, callTicketRefusal, inReinstateWindow, olderFirst, refusalFor, type CounterCommandType } from '../protocol/rules.ts';
import type { Lang } from '../ui/i18n.svelte.ts';
import type { DeskAction } from './shortcuts.ts';
import { m } from './strings.ts';

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

/**
 * The waiting tickets this counter may call, in the order "call next" weighs
 * them: the first is the one it would take now (protocol/rules.ts, the
 * domain's own rule); `priorityPerRegular` absent = priority groups first.
 */
export function callableTickets(snap: QueueSnapshot | null, counter: CounterState | null, nowIso: string, priorityPerRegular = 1): Ticket[] {
  if (!snap || !counter) return [];
  return callOrder(snap.tickets, counter, nowIso, priorityPerRegular);
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
    .filter((t) => t.finishedAt !== null && inReinstateWindow(t, windowMinutes, nowMs))
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

/** What the desk knows when it decides which buttons are on. */
export interface DeskView {
  online: boolean;
  isLead: boolean;
  /** The signed-in user, as the server records them. */
  me: Pick<Actor, 'kind' | 'id' | 'role'> | null;
  counter: CounterState | null;
  held: Ticket | null;
  parked: readonly Ticket[];
  noShows: readonly Ticket[];
}

/** The domain's refusal, as the reason a clerk reads beside a disabled button. */
const REASON: Partial<Record<ErrorCode, Bilingual>> = {
  counter_paused: m.whyPaused,
  counter_busy: m.whyHolding,
  counter_idle: m.whyNothing,
  invalid_state: m.whyNotCalled,
  counter_taken: m.whyTaken,
};

/** The command a desk button sends (pause toggles to resume). */
function commandOf(a: DeskAction, counter: CounterState): CounterCommandType | null {
  if (a === 'pause') return counter.paused ? 'resume' : 'pause';
  if (a === 'services') return 'configure_counter';
  if (a === 'reinstate' || a === 'issue' || a === 'supervisor') return null;
  return a;
}

/** Why a desk action is not possible now, or null: the domain's own preconditions (refusalFor). */
export function whyNot(a: DeskAction, v: DeskView): Bilingual | null {
  if (a === 'supervisor') return v.isLead ? null : m.whyNotLead;
  if (!v.online) return m.whyOffline;
  if (a === 'issue') return null;
  if (!v.counter) return m.whyNoCounter;
  const cmd = commandOf(a, v.counter);
  const code = cmd ? refusalFor(cmd, v.counter, v.held, v.me ?? undefined) : null;
  if (code) return REASON[code] ?? m.whyNotCalled;
  if (a === 'return' && v.parked.length === 0) return m.whyNoParked;
  if (a === 'reinstate' && v.noShows.length === 0) return m.whyNoNoShow;
  return null;
}

/** Whether this counter may call this ticket out of order now. */
export function canCallTicket(t: Ticket, v: DeskView): boolean {
  return !!v.counter && whyNot('call_ticket', v) === null && callTicketRefusal(t, v.counter) === null;
}
