import { describe, expect, it } from 'vitest';
import type { QueueDelta, QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { mergeDeltas } from '../../server/realtime/index.ts';
import { applyDelta, classifyDelta } from '../../ui/queue-model.ts';

const ticket = (n: number, state: Ticket['state'] = 'waiting'): Ticket => ({
  id: `2026-11-23/A00${n}`, number: `A00${n}`, serviceId: 'ktp-el', seq: n, officeDay: '2026-11-23', priority: null, source: 'kiosk',
  state, counterId: null, targetCounterId: null, precedence: false, bookingSlot: null, issuedAt: `2026-11-23T01:0${n}:00.000Z`,
  queuedAt: `2026-11-23T01:0${n}:00.000Z`, calledAt: null, startedAt: null, finishedAt: null, calls: 0, outcome: null, precheck: null,
  etaMinutesAtIssue: 0, transfers: 0,
});
const snap = (version: number, tickets: Ticket[] = []): QueueSnapshot => ({
  officeId: 'kupang', officeDay: '2026-11-23', version, serverTime: '2026-11-23T01:00:00.000Z', tickets, counters: [], services: [], recentCalls: [],
});
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
    expect(classifyDelta(snap(4), m)).toBe('gap'); // it overlaps what the page has: ask for a snapshot
    const after = applyDelta(snap(3), m);
    expect(after.version).toBe(6);
    expect(after.tickets.map((t) => t.number)).toEqual(['A002']);
  });
});
