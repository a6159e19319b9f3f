// The TV's call list (display/calls.ts): what it shows and what it announces
// from snapshots and deltas — live calls once, missed recent calls after a
// reconnect, nothing old after a reload, only what the profile shows.
import { describe, expect, it } from 'vitest';
import type { CallView, QueueDelta, QueueEvent, QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { callBoard, callKey, shows } from '../../display/calls.ts';

const DAY = '2026-11-23';
const ALL = { services: [], counters: [], historySize: 6 };
const at = (minute: number, second = 0) => `${DAY}T02:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;

const call = (number: string, minute: number, over: Partial<CallView> = {}): CallView => ({
  ticketId: `${DAY}/${number}`, number, serviceId: number.startsWith('A') ? 'ktp-el' : 'kk', counterId: '1', at: at(minute), recall: false, ...over,
});

const snapshot = (recentCalls: CallView[], serverMinute: number, officeDay = DAY): QueueSnapshot => ({
  officeId: 'kupang', officeDay, version: 10, serverTime: at(serverMinute), tickets: [], counters: [], services: [], recentCalls,
});

const ticketOf = (c: CallView) => ({ id: c.ticketId, number: c.number, serviceId: c.serviceId }) as Ticket;
const actor = { kind: 'staff', id: 'petugas1', name: 'Petugas 1' } as unknown as QueueEvent['actor'];

/** A delta with the calls (and recalls) as the server broadcasts them. */
const delta = (...calls: CallView[]): QueueDelta => ({
  officeId: 'kupang', officeDay: DAY, version: 11, tickets: calls.map(ticketOf), counters: [], services: [],
  events: calls.map((c): QueueEvent =>
    c.recall
      ? { type: 'ticket_recalled', at: c.at, actor, ticketId: c.ticketId, counterId: c.counterId }
      : { type: 'ticket_called', at: c.at, actor, ticketId: c.ticketId, counterId: c.counterId, mode: 'next' },
  ),
});

const numbers = (list: CallView[]) => list.map((c) => c.number);

describe('display: the call list', () => {
  it('shows the calls of the first snapshot, newest first, and announces none of them (a reload replays nothing)', () => {
    const b = callBoard(ALL);
    expect(b.snapshot(snapshot([call('A001', 1), call('A002', 2)], 2))).toEqual([]);
    expect(numbers(b.calls)).toEqual(['A002', 'A001']);
  });

  it('announces a live call once, even when the delta comes again', () => {
    const b = callBoard(ALL);
    b.snapshot(snapshot([call('A001', 1)], 1));
    const a2 = call('A002', 3);
    expect(b.delta(delta(a2))).toEqual([a2]);
    expect(b.delta(delta(a2))).toEqual([]);
    expect(numbers(b.calls)).toEqual(['A002', 'A001']);
  });

  it('keeps one entry per ticket: a recall moves it to the top and is announced again', () => {
    const b = callBoard(ALL);
    b.snapshot(snapshot([call('A001', 1), call('A002', 2)], 2));
    const again = call('A001', 4, { recall: true });
    expect(b.delta(delta(again))).toEqual([again]);
    expect(b.calls).toEqual([again, call('A002', 2)]);
    expect(callKey(again)).not.toBe(callKey(call('A001', 4)));
  });

  it('announces quick calls in the order they were made', () => {
    const b = callBoard(ALL);
    b.snapshot(snapshot([], 1));
    const calls = [call('A001', 2), call('B001', 2, { counterId: '2' }), call('A002', 3)];
    expect(b.delta(delta(...calls))).toEqual(calls);
    expect(numbers(b.calls)).toEqual(['A002', 'B001', 'A001']);
  });

  it('keeps the profile history plus the current call, never more than 30', () => {
    const b = callBoard({ ...ALL, historySize: 2 });
    b.snapshot(snapshot([], 0));
    for (let i = 1; i <= 5; i++) b.delta(delta(call(`A00${i}`, i)));
    expect(numbers(b.calls)).toEqual(['A005', 'A004', 'A003']);

    const big = callBoard({ ...ALL, historySize: 100 });
    big.snapshot(snapshot([], 0));
    for (let i = 1; i <= 40; i++) big.delta(delta(call(`A${String(i).padStart(3, '0')}`, i % 60, { at: at(1, i) })));
    expect(big.calls).toHaveLength(30);
  });

  it('after a reconnect shows the calls made meanwhile, announcing only the recent ones not yet announced', () => {
    const b = callBoard(ALL);
    b.snapshot(snapshot([call('A001', 1)], 1));
    b.delta(delta(call('A002', 2)));
    // Offline from minute 2 to minute 5: A003 (minute 3) is older than a minute by then, A004 is not.
    const back = snapshot([call('A001', 1), call('A002', 2), call('A003', 3), call('A004', 4, { at: at(4, 30) })], 5);
    expect(numbers(b.snapshot(back))).toEqual(['A004']);
    expect(numbers(b.calls)).toEqual(['A004', 'A003', 'A002', 'A001']);
    // The same snapshot again (a resync): nothing more.
    expect(b.snapshot(back)).toEqual([]);
  });

  it('starts afresh on a new office day, announcing nothing from it', () => {
    const b = callBoard(ALL);
    b.snapshot(snapshot([call('A001', 1)], 1));
    const tomorrow = { ...call('A001', 1), ticketId: '2026-11-24/A001', at: '2026-11-24T00:30:00.000Z' };
    expect(b.snapshot({ ...snapshot([tomorrow], 1, '2026-11-24'), serverTime: '2026-11-24T00:30:10.000Z' })).toEqual([]);
    expect(b.calls).toEqual([tomorrow]);
  });

  it("shows and announces only the profile's services and counters", () => {
    const b = callBoard({ services: ['kk'], counters: [], historySize: 6 });
    b.snapshot(snapshot([call('A001', 1), call('B001', 1)], 1));
    expect(numbers(b.calls)).toEqual(['B001']);
    expect(b.delta(delta(call('A002', 2)))).toEqual([]);
    expect(numbers(b.delta(delta(call('B002', 2))))).toEqual(['B002']);

    const counter2 = { services: [], counters: ['2'], historySize: 6 };
    expect(shows(counter2, call('A001', 1))).toBe(false);
    expect(shows(counter2, call('A001', 1, { counterId: '2' }))).toBe(true);
  });

  it('filters what it shows when the profile arrives with the office', () => {
    const b = callBoard(ALL);
    b.snapshot(snapshot([call('A001', 1), call('B001', 2), call('A002', 3)], 3));
    b.setProfile({ services: ['ktp-el'], counters: [], historySize: 0 });
    expect(numbers(b.calls)).toEqual(['A002']);
    // A call of another room's service made while offline is not announced here either.
    expect(b.snapshot(snapshot([call('A001', 1), call('B001', 2), call('A002', 3), call('B002', 3, { at: at(3, 30) })], 4))).toEqual([]);
  });
});
