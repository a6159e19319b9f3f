// A page's copy of the queue: replaced by a snapshot, advanced by deltas.
// Pure functions so the same code runs in pages and in tests.
import type { CallView, QueueDelta, QueueSnapshot, Ticket } from '../protocol/model.ts';

export type DeltaOutcome = 'applied' | 'stale' | 'gap';

/**
 * Whether a delta can be applied to a snapshot: it must reach past the
 * snapshot's version and start no later than the version right after it. A
 * merged delta may also start before it (a page that connected in the middle
 * of a merge window): it carries the newest state of everything it touched,
 * so applying it again to what the page already has is harmless.
 */
export function classifyDelta(snap: QueueSnapshot, delta: QueueDelta): DeltaOutcome {
  if (delta.officeDay !== snap.officeDay) return delta.officeDay < snap.officeDay ? 'stale' : 'gap';
  if (delta.version <= snap.version) return 'stale';
  return (delta.fromVersion ?? delta.version) <= snap.version + 1 ? 'applied' : 'gap';
}

function keep(t: Ticket): boolean {
  return t.state !== 'done' && t.state !== 'cancelled';
}

/** Returns the snapshot advanced by the delta (call only when classifyDelta says 'applied'). */
export function applyDelta(snap: QueueSnapshot, delta: QueueDelta, maxCalls = 10): QueueSnapshot {
  const tickets = new Map(snap.tickets.map((t) => [t.id, t]));
  for (const t of delta.tickets) {
    if (keep(t)) tickets.set(t.id, t);
    else tickets.delete(t.id);
  }
  const counters = snap.counters.map((c) => delta.counters.find((d) => d.id === c.id) ?? c);
  for (const d of delta.counters) if (!counters.some((c) => c.id === d.id)) counters.push(d);
  let recentCalls: CallView[] = snap.recentCalls;
  for (const e of delta.events) {
    if (e.type === 'ticket_called' || e.type === 'ticket_recalled') {
      const t = tickets.get(e.ticketId) ?? delta.tickets.find((x) => x.id === e.ticketId);
      if (!t) continue;
      // A merged delta may repeat a call the page already has (see classifyDelta).
      if (recentCalls.some((c) => c.ticketId === t.id && c.at === e.at && c.counterId === e.counterId)) continue;
      recentCalls = [...recentCalls, { ticketId: t.id, number: t.number, serviceId: t.serviceId, counterId: e.counterId, at: e.at, recall: e.type === 'ticket_recalled' }].slice(-maxCalls);
    }
  }
  return {
    ...snap,
    version: delta.version,
    tickets: [...tickets.values()],
    counters,
    services: delta.services,
    recentCalls,
  };
}
