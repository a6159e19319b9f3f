import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../protocol/errors.ts';
import type { QueueDelta, QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { DeltaMerger } from '../../server/realtime/feeds.ts';
import { QueueClient } from '../../ui/queue-client.ts';
import { applyDelta, classifyDelta } from '../../ui/queue-model.ts';

const ticket = (n: number, state: Ticket['state'] = 'waiting'): Ticket => ({
  id: `2026-11-23/A00${n}`, number: `A00${n}`, serviceId: 'ktp-el', seq: n, officeDay: '2026-11-23', priority: null, source: 'kiosk',
  state, counterId: null, targetCounterId: null, precedence: false, bookingSlot: null, issuedAt: `2026-11-23T01:0${n}:00.000Z`,
  queuedAt: `2026-11-23T01:0${n}:00.000Z`, calledAt: null, startedAt: null, finishedAt: null, calls: 0, outcome: null, precheck: null,
  etaMinutesAtIssue: 0, waitAtIssue: null, aheadAtIssue: 0, transfers: 0,
});
const snap = (version: number, tickets: Ticket[] = []): QueueSnapshot => ({
  officeId: 'kupang', officeDay: '2026-11-23', version, serverTime: '2026-11-23T01:00:00.000Z', tickets, counters: [], services: [], recentCalls: [],
});
/** What the server sends kiosks and phones for a window of commits. */
function mergeDeltas(...deltas: QueueDelta[]): QueueDelta {
  const m = new DeltaMerger();
  for (const d of deltas) m.add(d);
  const out = m.take();
  if (!out) throw new Error('nothing merged');
  return out;
}
const delta = (version: number, t: Ticket): QueueDelta => ({
  officeId: 'kupang', officeDay: '2026-11-23', version, events: [{ type: 'ticket_issued', ticket: t, at: t.issuedAt, actor: { kind: 'system', id: 't' } }], tickets: [t], counters: [], services: [],
});

describe('queue copy on a page', () => {
  it('applies the next version, ignores old ones and calls a skipped one a gap', () => {
    const s = snap(3);
    expect(classifyDelta(s, delta(4, ticket(1)))).toBe('applied');
    expect(classifyDelta(s, delta(3, ticket(1)))).toBe('stale');
    expect(classifyDelta(s, delta(5, ticket(1)))).toBe('gap');
    expect(classifyDelta(s, { ...delta(4, ticket(1)), officeDay: '2026-11-24' })).toBe('gap');
  });

  it('applies a merged delta covering the next versions as one step', () => {
    const m = mergeDeltas(mergeDeltas(delta(4, ticket(1)), delta(5, ticket(2))), delta(6, { ...ticket(1), state: 'done' }));
    expect(m.fromVersion).toBe(4);
    expect(m.version).toBe(6);
    expect(m.events).toHaveLength(3);
    expect(m.tickets.map((t) => `${t.number}:${t.state}`)).toEqual(['A001:done', 'A002:waiting']);
    expect(classifyDelta(snap(3), m)).toBe('applied');
    expect(classifyDelta(snap(2), m)).toBe('gap'); // version 3 is missing
    const after = applyDelta(snap(3), m);
    expect(after.version).toBe(6);
    expect(after.tickets.map((t) => t.number)).toEqual(['A002']);
  });

  it('applies a merged delta that starts before the page\'s snapshot to the same result as one commit at a time', () => {
    // Versions 4..8: two tickets issued, A001 called, recalled, then done.
    const t1 = ticket(1);
    const t2 = ticket(2);
    const called = { ...t1, state: 'called' as const, counterId: '1', calls: 1 };
    const recalled = { ...called, calls: 2 };
    const done = { ...recalled, state: 'done' as const };
    const actor = { kind: 'system' as const, id: 't' };
    const step = (version: number, t: Ticket, e: QueueDelta['events'][number]): QueueDelta => ({ ...delta(version, t), events: [e] });
    const deltas = [
      delta(4, t1),
      delta(5, t2),
      step(6, called, { type: 'ticket_called', ticketId: t1.id, counterId: '1', mode: 'next', at: '2026-11-23T01:10:00.000Z', actor }),
      step(7, recalled, { type: 'ticket_recalled', ticketId: t1.id, counterId: '1', at: '2026-11-23T01:11:00.000Z', actor }),
      step(8, done, { type: 'ticket_finished', ticketId: t1.id, counterId: '1', outcome: 'done', at: '2026-11-23T01:12:00.000Z', actor }),
    ];
    const pages = [snap(3)];
    for (const d of deltas) pages.push(applyDelta(pages.at(-1) as QueueSnapshot, d));
    const final = pages.at(-1) as QueueSnapshot;
    expect(final.recentCalls.map((c) => `${c.number}${c.recall ? ' again' : ''}`)).toEqual(['A001', 'A001 again']);
    const merged = mergeDeltas(...deltas);
    // A page that took its snapshot at any version inside the window ends where the others do.
    for (const page of pages.slice(0, -1)) {
      expect(classifyDelta(page, merged)).toBe('applied');
      expect(applyDelta(page, merged)).toEqual(final);
    }
    expect(classifyDelta(final, merged)).toBe('stale');
  });
});

describe('queue client', () => {
  // Never connected (autoConnect is off): the test plays the server's messages.
  const client = () => new QueueClient({ url: 'http://127.0.0.1:9', role: 'display', office: 'kupang' });

  it('keeps deltas that overtake the snapshot on connect and applies the newer ones after it', () => {
    const c = client();
    c.handleDelta(delta(4, ticket(1))); // covered by the snapshot below
    c.handleDelta(delta(5, ticket(2))); // newer than it
    expect(c.snapshot).toBeNull();
    c.handleSnapshot(snap(4, [ticket(1)]));
    expect(c.snapshot?.version).toBe(5);
    expect(c.snapshot?.tickets.map((t) => t.number)).toEqual(['A001', 'A002']);
    expect(c.resyncs).toBe(0);
    c.close();
  });

  it('never goes back to an older snapshot of the same day', () => {
    const c = client();
    c.handleSnapshot(snap(4, [ticket(1)]));
    c.handleDelta(delta(5, ticket(2)));
    c.handleSnapshot(snap(3));
    expect(c.snapshot?.version).toBe(5);
    c.handleSnapshot({ ...snap(1), officeDay: '2026-11-24' }); // a new day starts again at 1
    expect(c.snapshot?.officeDay).toBe('2026-11-24');
    c.close();
  });

  it("passes on the server's unavailable, and clears it with the next snapshot", () => {
    const seen: Array<ApiError | null> = [];
    const c = new QueueClient({ url: 'http://127.0.0.1:9', role: 'display', office: 'kupang' }, { onUnavailable: (e) => seen.push(e) });
    const error: ApiError = { code: 'unavailable', message: { id: 'Server sedang tidak dapat menyimpan data.', en: 'The server cannot store data.' } };
    for (const listener of c.socket.listeners('unavailable')) listener(error);
    expect(seen).toEqual([error]);
    c.handleSnapshot(snap(4));
    expect(seen).toEqual([error, null]);
    c.close();
  });
});
