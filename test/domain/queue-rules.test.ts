// The queue rules of DESIGN.md ("Queue rules"), one behaviour per test, run
// through decide + applyCommit exactly as the shell does.
import { describe, it, expect } from 'vitest';
import { FINISH_OUTCOMES } from '../../protocol/model.ts';
import { decide, dueNoShows } from '../../server/domain/commands.ts';
import { serviceStats } from '../../server/domain/routing.ts';
import { deltaOf, snapshotOf } from '../../server/domain/views.ts';
import { CLERK, DAY, NINE_AM, Sim, kupang, withCounters } from '../helpers/domain.ts';

const kind = (s: Sim, number: string): string => (s.ticket(number).priority ? 'P' : 'R');
const etaOf = (s: Sim, serviceId: string): number => {
  const st = serviceStats(s.state, s.office).find((x) => x.serviceId === serviceId);
  if (!st) throw new Error(`no stats for ${serviceId}`);
  return st.etaMinutes;
};

describe('numbering', () => {
  it('numbers tickets A001, A002 … per service prefix', () => {
    const s = new Sim(kupang());
    const a1 = s.issue('ktp-el');
    const a2 = s.issue('ktp-el');
    expect([a1.number, a2.number]).toEqual(['A001', 'A002']);
    expect([a1.seq, a2.seq]).toEqual([1, 2]);
    expect(a1.id).toBe(`${DAY}/A001`);
    expect(a1.officeDay).toBe(DAY);
    expect(a1.state).toBe('waiting');
  });

  it('runs an independent sequence for each service', () => {
    const s = new Sim(kupang());
    const got = ['ktp-el', 'kk', 'ktp-el', 'akta', 'kk', 'ktp-el'].map((svc) => s.issue(svc).number);
    expect(got).toEqual(['A001', 'B001', 'A002', 'C001', 'B002', 'A003']);
  });

  it('accepts the ticket letter in place of the service id', () => {
    const s = new Sim(kupang());
    const t = s.issue('B');
    expect(t.serviceId).toBe('kk');
    expect(t.number).toBe('B001');
  });
});

describe('call next', () => {
  it('prefers the first service in the counter’s ordered list', () => {
    const s = new Sim(kupang());
    s.issue('kia'); // D001, older
    s.issue('ktp-el'); // A001
    expect(s.callNext('1').number).toBe('A001');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(s.callNext('1').number).toBe('D001');
  });

  it('follows each counter’s own order of services', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el'); // A001
    s.issue('informasi'); // G001: counter 4 lists it first
    expect(s.callNext('4').number).toBe('G001');
    expect(s.callNext('1').number).toBe('A001');
  });

  it('never gives a counter a service it does not serve', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    expect(s.err({ type: 'call_next', counterId: '2' })).toBe('queue_empty');
    expect(s.err({ type: 'call_next', counterId: '3' })).toBe('queue_empty');
  });

  it('gives two racing counters two different tickets', () => {
    const s = new Sim(kupang(), { step: 0 });
    s.issue('ktp-el');
    s.issue('ktp-el');
    const a = s.callNext('1');
    const b = s.callNext('4');
    expect(a.id).not.toBe(b.id);
    expect(s.counter('1').ticketId).toBe(a.id);
    expect(s.counter('4').ticketId).toBe(b.id);
  });

  it('gives the second of two racing counters "queue empty" when one ticket waits', () => {
    const s = new Sim(kupang(), { step: 0 });
    const t = s.issue('ktp-el');
    expect(s.callNext('1').id).toBe(t.id);
    expect(s.err({ type: 'call_next', counterId: '4' })).toBe('queue_empty');
    expect(s.counter('4').ticketId).toBeNull();
  });

  it('does not skip a ticket when call next is pressed twice with the same key', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    const first = s.ok({ type: 'call_next', counterId: '1', key: 'counter-1:press-1' });
    const again = s.run({ type: 'call_next', counterId: '1', key: 'counter-1:press-1' });
    expect(again).toEqual({ ok: true, replayed: true, ticketId: first.ticketId, version: first.version });
    expect(s.ticket('A002').state).toBe('waiting');
  });

  it('refuses call next while the counter holds a ticket (counter_busy)', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('counter_busy');
    expect(s.err({ type: 'call_ticket', counterId: '1', ticket: 'A002', reason: 'lansia' })).toBe('counter_busy');
    s.ok({ type: 'start', counterId: '1' });
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('counter_busy');
    expect(s.ticket('A002').state).toBe('waiting');
  });

  it('answers queue_empty when nothing waits', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('queue_empty');
  });

  it('lets a counter call a specific waiting ticket out of order, with the reason in the event', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    const c = s.ok({ type: 'call_ticket', counterId: '1', ticket: 'A002', reason: 'dipanggil ulang' });
    expect(c.events[0]).toMatchObject({ type: 'ticket_called', mode: 'specific', reason: 'dipanggil ulang', counterId: '1' });
    expect(s.ticket('A002').state).toBe('called');
    expect(s.ticket('A001').state).toBe('waiting');
    expect(s.err({ type: 'call_ticket', counterId: '4', ticket: 'A002', reason: 'x' })).toBe('ticket_not_waiting');
    // By its full id too.
    s.ok({ type: 'call_ticket', counterId: '4', ticket: `${DAY}/A001`, reason: 'lansia' });
    expect(s.ticket('A001')).toMatchObject({ state: 'called', counterId: '4' });
  });
});

describe('targeted transfer', () => {
  it('makes a ticket transferred to a counter callable only by that counter', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    s.ok({ type: 'transfer', counterId: '1', toCounter: '3', precedence: false });
    const t = s.ticket('A001');
    expect(t).toMatchObject({ state: 'waiting', targetCounterId: '3', serviceId: 'ktp-el', counterId: null });
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('queue_empty');
    expect(s.err({ type: 'call_next', counterId: '4' })).toBe('queue_empty');
    expect(s.err({ type: 'call_ticket', counterId: '4', ticket: 'A001', reason: 'x' })).toBe('service_not_served');
    // Counter 3 does not serve ktp-el, yet it gets the ticket sent to it.
    expect(s.callNext('3').number).toBe('A001');
    expect(s.ticket('A001').targetCounterId).toBeNull();
  });

  it('calls a ticket sent to this counter before the counter’s own services', () => {
    const s = new Sim(kupang());
    s.issue('akta'); // C001, older, counter 3's first service
    s.issue('ktp-el'); // A001
    s.callNext('1');
    s.ok({ type: 'transfer', counterId: '1', toCounter: '3', precedence: false });
    expect(s.callNext('3').number).toBe('A001');
  });
});

describe('precedence classes', () => {
  it('calls transferred-with-precedence, then due bookings, then priority, then oldest', () => {
    const s = new Sim(withCounters(kupang(), { '1': ['ktp-el'] }));
    s.issue('ktp-el'); // A001 regular
    s.issue('ktp-el', { priority: 'elderly' }); // A002 priority
    s.issue('ktp-el', { source: 'booking', bookingSlot: NINE_AM }); // A003 due booking
    s.issue('ktp-el', { source: 'booking', bookingSlot: '2026-11-23T06:00:00.000Z' }); // A004 booked for later: regular
    s.issue('ktp-el'); // A005 → transferred in with precedence
    s.ok({ type: 'call_ticket', counterId: '4', ticket: 'A005', reason: 'verifikasi' });
    s.ok({ type: 'transfer', counterId: '4', toService: 'ktp-el', precedence: true });
    expect(s.ticket('A005')).toMatchObject({ precedence: true, state: 'waiting' });
    expect(s.drain('1')).toEqual(['A005', 'A003', 'A002', 'A001', 'A004']);
  });

  it('treats a booking as regular until its slot comes, then calls it first', () => {
    const s = new Sim(withCounters(kupang(), { '1': ['ktp-el'] }));
    s.issue('ktp-el'); // A001
    s.issue('ktp-el', { source: 'booking', bookingSlot: '2026-11-23T01:30:00.000Z' }); // A002
    s.issue('ktp-el'); // A003
    expect(s.callNext('1').number).toBe('A001');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    s.at('2026-11-23T01:30:00.000Z');
    expect(s.callNext('1').number).toBe('A002');
  });

  it('keeps a booking for a later slot in the regular order', () => {
    const s = new Sim(withCounters(kupang(), { '1': ['ktp-el'] }));
    s.issue('ktp-el', { source: 'booking', bookingSlot: '2026-11-23T05:00:00.000Z' }); // A001
    s.issue('ktp-el'); // A002
    expect(s.callNext('1').number).toBe('A001');
  });

  it('treats a booking as due at the very instant of its slot, whatever the ISO spelling', () => {
    // The schema accepts "…T01:00:00Z" while `now` is "…T01:00:00.000Z"; classOf
    // compares strings, so issue must store the slot in toISOString() form.
    const s = new Sim(withCounters(kupang(), { '1': ['ktp-el'] }), { start: '2026-11-23T00:50:00.000Z' });
    s.issue('ktp-el'); // A001 regular, older
    s.issue('ktp-el', { source: 'booking', bookingSlot: '2026-11-23T01:00:00Z' }); // A002
    s.at('2026-11-23T01:00:00.000Z');
    expect(s.callNext('1').number).toBe('A002');
  });

  it('alternates priority and regular at priorityPerRegular 2: P,P,R,P,P,R', () => {
    const s = new Sim(withCounters(kupang({ priorityPerRegular: 2 }), { '1': ['ktp-el'] }));
    for (let i = 0; i < 6; i++) {
      s.issue('ktp-el');
      s.issue('ktp-el', { priority: i % 2 === 0 ? 'elderly' : 'pregnant' });
    }
    const order = s.drain('1');
    expect(order.map((n) => kind(s, n)).join('')).toBe('PPRPPRPPRRRR');
    // Oldest first inside each kind.
    const ps = order.filter((n) => kind(s, n) === 'P');
    const rs = order.filter((n) => kind(s, n) === 'R');
    expect(ps).toEqual([...ps].sort());
    expect(rs).toEqual([...rs].sort());
  });

  it('alternates one for one at priorityPerRegular 1', () => {
    const s = new Sim(withCounters(kupang({ priorityPerRegular: 1 }), { '1': ['ktp-el'] }));
    for (let i = 0; i < 3; i++) s.issue('ktp-el');
    for (let i = 0; i < 3; i++) s.issue('ktp-el', { priority: 'disabled' });
    expect(s.drain('1').map((n) => kind(s, n)).join('')).toBe('PRPRPR');
  });

  it('calls priority tickets only while no regular one waits once the ratio is used up', () => {
    const s = new Sim(withCounters(kupang({ priorityPerRegular: 2 }), { '1': ['ktp-el'] }));
    for (let i = 0; i < 4; i++) s.issue('ktp-el', { priority: 'with_child' });
    expect(s.drain('1')).toEqual(['A001', 'A002', 'A003', 'A004']);
  });

  it('is plain first-come first-served at priorityPerRegular 0', () => {
    const s = new Sim(withCounters(kupang({ priorityPerRegular: 0 }), { '1': ['ktp-el'] }));
    s.issue('ktp-el');
    s.issue('ktp-el', { priority: 'elderly' });
    s.issue('ktp-el');
    s.issue('ktp-el', { priority: 'pregnant' });
    s.issue('ktp-el');
    expect(s.drain('1')).toEqual(['A001', 'A002', 'A003', 'A004', 'A005']);
  });

  it('ignores the priority flag entirely at priorityPerRegular 0, so service preference still applies', () => {
    // Counter 1 serves ktp-el first, kia second. D001 (kia) is older than A002 (ktp-el).
    // With both regular, A002 is called first (first service preferred). Marking A002
    // as priority must not make it wait longer when priority is switched off (ratio 0),
    // yet pickNext then compares the best priority and best regular by age alone.
    const run = (priority: 'elderly' | null): string => {
      const s = new Sim(kupang({ priorityPerRegular: 0 }));
      s.issue('kia'); // D001
      s.issue('ktp-el', { priority }); // A001
      return s.callNext('1').number;
    };
    expect(run(null)).toBe('A001');
    expect(run('elderly')).toBe('A001');
  });

  it('keeps the regular turn owed after P,P across a precedence call', () => {
    const s = new Sim(withCounters(kupang({ priorityPerRegular: 2 }), { '1': ['ktp-el'], '2': ['ktp-el'] }));
    s.issue('ktp-el'); // A001 R
    s.issue('ktp-el', { priority: 'elderly' }); // A002 P
    s.issue('ktp-el', { priority: 'elderly' }); // A003 P
    s.issue('ktp-el'); // A004 R
    s.issue('ktp-el', { priority: 'elderly' }); // A005 P
    expect(s.callNext('1').number).toBe('A002');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(s.callNext('1').number).toBe('A003');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    // Counter 1 owes a regular call now; a ticket transferred to it with precedence comes first.
    s.ok({ type: 'call_ticket', counterId: '2', ticket: 'A004', reason: 'uji' });
    s.ok({ type: 'transfer', counterId: '2', toCounter: '1', precedence: true });
    expect(s.callNext('1').number).toBe('A004');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    // Still owed: the regular A001, not a third priority ticket in a row (A005).
    expect(s.callNext('1').number).toBe('A001');
  });

  it('counts the priority streak per counter', () => {
    const s = new Sim(withCounters(kupang({ priorityPerRegular: 1 }), { '1': ['ktp-el'], '4': ['ktp-el'] }));
    s.issue('ktp-el'); // A001 R
    s.issue('ktp-el', { priority: 'elderly' }); // A002 P
    s.issue('ktp-el', { priority: 'elderly' }); // A003 P
    s.issue('ktp-el'); // A004 R
    expect(s.callNext('1').number).toBe('A002');
    // Counter 4 has called nothing yet: it also starts with a priority ticket.
    expect(s.callNext('4').number).toBe('A003');
    expect(s.counter('1').priorityStreak).toBe(1);
    expect(s.counter('4').priorityStreak).toBe(1);
  });
});

describe('recall, start, finish', () => {
  it('recall repeats the call and counts it', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    expect(s.ticket('A001').calls).toBe(1);
    const c = s.ok({ type: 'recall', counterId: '1' });
    expect(c.events[0]).toMatchObject({ type: 'ticket_recalled', ticketId: `${DAY}/A001`, counterId: '1' });
    s.ok({ type: 'recall', counterId: '1' });
    expect(s.ticket('A001').calls).toBe(3);
    expect(s.ticket('A001').state).toBe('called');
    expect(s.state.recentCalls.map((r) => r.recall)).toEqual([false, true, true]);
  });

  it('recalls only a called ticket', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'recall', counterId: '1' })).toBe('counter_idle');
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    expect(s.err({ type: 'recall', counterId: '1' })).toBe('invalid_state');
    expect(s.ticket('A001').calls).toBe(1);
  });

  it('start moves a called ticket to serving; finish closes it and frees the counter', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    const startAt = s.now.toISOString();
    s.ok({ type: 'start', counterId: '1' });
    expect(s.ticket('A001')).toMatchObject({ state: 'serving', startedAt: startAt, counterId: '1' });
    expect(s.err({ type: 'start', counterId: '1' })).toBe('invalid_state');
    s.advance(300);
    const finishAt = s.now.toISOString();
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(s.ticket('A001')).toMatchObject({ state: 'done', outcome: 'done', finishedAt: finishAt, counterId: null });
    expect(s.counter('1')).toMatchObject({ ticketId: null, served: 1 });
    // Service time runs from start to finish.
    expect(s.counter('1').serviceSecondsTotal).toBe((Date.parse(finishAt) - Date.parse(startAt)) / 1000);
    expect(s.state.serviceTimes.get('ktp-el')).toEqual([310]);
  });

  it('refuses start and finish on an idle counter', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'start', counterId: '1' })).toBe('counter_idle');
    expect(s.err({ type: 'finish', counterId: '1', outcome: 'done' })).toBe('counter_idle');
  });

  it('records each finish outcome', () => {
    for (const outcome of FINISH_OUTCOMES) {
      const s = new Sim(kupang());
      s.issue('ktp-el');
      s.callNext('1');
      s.ok({ type: 'start', counterId: '1' });
      const c = s.ok({ type: 'finish', counterId: '1', outcome });
      expect(c.events[0]).toMatchObject({ type: 'ticket_finished', outcome });
      expect(s.ticket('A001')).toMatchObject({ state: 'done', outcome });
    }
  });

  it('calls the next ticket on finish when the counter is set to auto-call', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'configure_counter', counterId: '1', services: ['ktp-el', 'kia'], autoCallNext: true });
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    const c = s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(c.events.map((e) => e.type)).toEqual(['ticket_finished', 'ticket_called']);
    expect(c.events[1]).toMatchObject({ mode: 'auto', ticketId: `${DAY}/A002`, counterId: '1' });
    expect(s.ticket('A002')).toMatchObject({ state: 'called', counterId: '1' });
    expect(s.counter('1').ticketId).toBe(`${DAY}/A002`);
    // Nothing left: finish just finishes.
    const last = s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(last.events.map((e) => e.type)).toEqual(['ticket_finished']);
    expect(s.counter('1').ticketId).toBeNull();
  });

  it('does not auto-call without autoCallNext, nor on a paused counter', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    expect(s.ok({ type: 'finish', counterId: '1', outcome: 'done' }).events).toHaveLength(1);

    s.ok({ type: 'configure_counter', counterId: '1', services: ['ktp-el'], autoCallNext: true });
    s.callNext('1');
    s.ok({ type: 'pause', counterId: '1', reason: 'prayer' });
    expect(s.ok({ type: 'finish', counterId: '1', outcome: 'done' }).events).toHaveLength(1);
  });
});

describe('no-show and reinstate', () => {
  it('marks a called ticket no-show and frees the counter', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'no_show', counterId: '1' });
    expect(s.ticket('A001')).toMatchObject({ state: 'no_show', counterId: null });
    expect(s.counter('1').ticketId).toBeNull();
    expect(s.state.waiting.size).toBe(0);
  });

  it('refuses no-show once service has started, and on an idle counter', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'no_show', counterId: '1' })).toBe('counter_idle');
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    expect(s.err({ type: 'no_show', counterId: '1' })).toBe('invalid_state');
  });

  it('reinstates a no-show within the window in its original place', () => {
    const s = new Sim(withCounters(kupang(), { '1': ['ktp-el'] }));
    s.issue('ktp-el'); // A001
    s.issue('ktp-el'); // A002
    s.issue('ktp-el'); // A003
    s.callNext('1');
    s.ok({ type: 'no_show', counterId: '1' });
    expect(s.callNext('1').number).toBe('A002');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    s.advance(29 * 60);
    s.ok({ type: 'reinstate', ticket: 'A001' });
    expect(s.ticket('A001')).toMatchObject({ state: 'waiting', finishedAt: null, counterId: null });
    s.issue('ktp-el'); // A004
    // Issued before A003 and A004, so called before them.
    expect(s.drain('1')).toEqual(['A001', 'A003', 'A004']);
  });

  it('refuses to reinstate after the window (reinstate_window_passed)', () => {
    const s = new Sim(kupang({ reinstateWindowMinutes: 30 }), { step: 0 });
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'no_show', counterId: '1' });
    s.advance(30 * 60 + 1);
    expect(s.err({ type: 'reinstate', ticket: 'A001' })).toBe('reinstate_window_passed');
    expect(s.ticket('A001').state).toBe('no_show');
  });

  it('reinstates only no-show tickets', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    expect(s.err({ type: 'reinstate', ticket: 'A001' })).toBe('invalid_state');
    expect(s.err({ type: 'reinstate', ticket: 'A009' })).toBe('ticket_not_found');
  });
});

describe('transfer', () => {
  it('keeps the number and changes the service', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    s.ok({ type: 'transfer', counterId: '1', toService: 'kk', precedence: false });
    const t = s.ticket('A001');
    expect(t).toMatchObject({ number: 'A001', serviceId: 'kk', state: 'waiting', counterId: null, transfers: 1, startedAt: null, calledAt: null });
    expect(s.counter('1').ticketId).toBeNull();
    expect(s.state.waiting.has(t.id)).toBe(true);
    const again = s.callNext('2');
    expect(again.id).toBe(t.id);
    expect(again.number).toBe('A001');
    // Numbering of the target service is untouched.
    expect(s.issue('kk').number).toBe('B001');
  });

  it('queues a transfer without precedence behind those already waiting', () => {
    const s = new Sim(kupang());
    s.issue('kk'); // B001
    s.issue('kk'); // B002
    s.issue('ktp-el'); // A001
    s.callNext('1');
    s.ok({ type: 'transfer', counterId: '1', toService: 'kk', precedence: false });
    expect(s.drain('2')).toEqual(['B001', 'B002', 'A001']);
  });

  it('calls a transfer with precedence before those already waiting', () => {
    const s = new Sim(kupang());
    s.issue('kk'); // B001
    s.issue('kk', { priority: 'elderly' }); // B002
    s.issue('ktp-el'); // A001
    s.callNext('1');
    s.ok({ type: 'transfer', counterId: '1', toService: 'kk', precedence: true });
    const first = s.callNext('2');
    expect(first.number).toBe('A001');
    expect(first.precedence).toBe(false);
  });

  it('resolves the target service by its letter and refuses unknown targets', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    expect(s.err({ type: 'transfer', counterId: '1', toService: 'zzz', precedence: false })).toBe('service_not_found');
    expect(s.err({ type: 'transfer', counterId: '1', toCounter: '99', precedence: false })).toBe('counter_not_found');
    expect(s.err({ type: 'transfer', counterId: '1', precedence: false })).toBe('bad_request');
    expect(s.err({ type: 'transfer', counterId: '2', toService: 'kk', precedence: false })).toBe('counter_idle');
    s.ok({ type: 'transfer', counterId: '1', toService: 'C', precedence: false });
    expect(s.ticket('A001').serviceId).toBe('akta');
  });
});

describe('move a waiting ticket', () => {
  it('moves a waiting ticket to another service, keeping its number', () => {
    const s = new Sim(kupang());
    s.issue('kk'); // B001
    s.issue('ktp-el'); // A001
    const c = s.ok({ type: 'move_ticket', ticket: 'A001', toService: 'kk', precedence: false });
    expect(c.events[0]).toMatchObject({ type: 'ticket_transferred', fromCounterId: null, toServiceId: 'kk', toCounterId: null });
    expect(s.ticket('A001')).toMatchObject({ number: 'A001', serviceId: 'kk', state: 'waiting', transfers: 1 });
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('queue_empty');
    expect(s.drain('2')).toEqual(['B001', 'A001']);
  });

  it('moves a waiting ticket to one counter, with precedence', () => {
    const s = new Sim(kupang());
    s.issue('akta'); // C001
    s.issue('ktp-el'); // A001
    s.ok({ type: 'move_ticket', ticket: 'A001', toCounter: '3', precedence: true });
    expect(s.ticket('A001')).toMatchObject({ targetCounterId: '3', precedence: true, serviceId: 'ktp-el' });
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('queue_empty');
    expect(s.callNext('3').number).toBe('A001');
  });

  it('moves only waiting tickets, to a known target', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    expect(s.err({ type: 'move_ticket', ticket: 'A001', toService: 'kk', precedence: false })).toBe('ticket_not_waiting');
    expect(s.err({ type: 'move_ticket', ticket: 'A002', precedence: false })).toBe('bad_request');
    expect(s.err({ type: 'move_ticket', ticket: 'A002', toService: 'paspor', precedence: false })).toBe('service_not_found');
    expect(s.err({ type: 'move_ticket', ticket: 'A002', toCounter: '99', precedence: false })).toBe('counter_not_found');
    expect(s.err({ type: 'move_ticket', ticket: 'A009', toService: 'kk', precedence: false })).toBe('ticket_not_found');
  });
});

describe('failed pre-checks', () => {
  it('counts a kiosk pre-check that ended in "what to bring", without issuing a ticket', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'record_precheck', service: 'ktp-el', subcase: 'hilang', missing: ['surat-kehilangan-polisi'] });
    s.ok({ type: 'record_precheck', service: 'A', subcase: 'baru', missing: ['kk'] });
    expect(s.state.prechecksFailed.get('ktp-el')).toBe(2);
    expect(s.state.tickets.size).toBe(0);
    expect(s.state.lastSeq.size).toBe(0);
  });

  it('refuses a pre-check naming an unknown subcase or requirement', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'record_precheck', service: 'ktp-el', subcase: 'nope', missing: ['kk'] })).toBe('bad_request');
    expect(s.err({ type: 'record_precheck', service: 'ktp-el', subcase: 'hilang', missing: ['buku-nikah'] })).toBe('bad_request');
    expect(s.err({ type: 'record_precheck', service: 'paspor', subcase: 'x', missing: ['kk'] })).toBe('service_not_found');
  });
});

describe('park and return', () => {
  it('park frees the counter; return brings the ticket back to the counter that parked it', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    s.ok({ type: 'park', counterId: '1', reason: 'menunggu fotokopi' });
    expect(s.ticket('A001')).toMatchObject({ state: 'parked', counterId: '1' });
    expect(s.counter('1').ticketId).toBeNull();
    expect(s.callNext('1').number).toBe('A002');
    expect(s.err({ type: 'return', counterId: '1', ticket: 'A001' })).toBe('counter_busy');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(s.err({ type: 'return', counterId: '4', ticket: 'A001' })).toBe('invalid_state');
    const c = s.ok({ type: 'return', counterId: '1', ticket: 'A001' });
    expect(c.events[0]).toMatchObject({ type: 'ticket_called', mode: 'return', counterId: '1' });
    expect(s.ticket('A001')).toMatchObject({ state: 'called', counterId: '1' });
    expect(s.counter('1').ticketId).toBe(`${DAY}/A001`);
  });

  it('never calls a parked ticket with call next', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'park', counterId: '1' });
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('queue_empty');
    expect(s.err({ type: 'call_next', counterId: '4' })).toBe('queue_empty');
  });

  it('returns only parked tickets', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    expect(s.err({ type: 'return', counterId: '1', ticket: 'A001' })).toBe('invalid_state');
    expect(s.err({ type: 'return', counterId: '1', ticket: 'A077' })).toBe('ticket_not_found');
  });
});

describe('cancel', () => {
  it('cancels a waiting ticket and takes it out of the queue', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.ok({ type: 'cancel', ticket: 'A001', reason: 'pulang' });
    expect(s.ticket('A001').state).toBe('cancelled');
    expect(s.state.waiting.has(`${DAY}/A001`)).toBe(false);
    expect(s.callNext('1').number).toBe('A002');
  });

  it('cancels a held ticket and frees its counter', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'cancel', ticket: `${DAY}/A001`, reason: 'dokumen palsu' });
    expect(s.ticket('A001')).toMatchObject({ state: 'cancelled', counterId: null });
    expect(s.counter('1').ticketId).toBeNull();
  });

  it('refuses to cancel a finished or cancelled ticket, or an unknown one', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(s.err({ type: 'cancel', ticket: 'A001', reason: 'x' })).toBe('invalid_state');
    s.ok({ type: 'cancel', ticket: 'A002', reason: 'x' });
    expect(s.err({ type: 'cancel', ticket: 'A002', reason: 'x' })).toBe('invalid_state');
    expect(s.err({ type: 'cancel', ticket: 'Z999', reason: 'x' })).toBe('ticket_not_found');
  });
});

describe('pause and configure', () => {
  it('refuses call next on a paused counter (counter_paused) until it resumes', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.ok({ type: 'pause', counterId: '1', reason: 'prayer', note: 'Zuhur' });
    expect(s.counter('1').paused).toMatchObject({ reason: 'prayer', note: 'Zuhur' });
    expect(s.err({ type: 'call_next', counterId: '1' })).toBe('counter_paused');
    expect(s.err({ type: 'call_ticket', counterId: '1', ticket: 'A001', reason: 'x' })).toBe('counter_paused');
    expect(s.err({ type: 'pause', counterId: '1', reason: 'break' })).toBe('counter_paused');
    s.ok({ type: 'resume', counterId: '1' });
    expect(s.counter('1').paused).toBeNull();
    expect(s.err({ type: 'resume', counterId: '1' })).toBe('counter_not_paused');
    expect(s.callNext('1').number).toBe('A001');
  });

  it('lets a paused counter finish the ticket it holds', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'pause', counterId: '1', reason: 'break' });
    s.ok({ type: 'start', counterId: '1' });
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    expect(s.ticket('A001').state).toBe('done');
  });

  it('configure_counter changes which services the counter calls, in the new order', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el'); // A001
    s.issue('akta'); // C001
    expect(s.err({ type: 'call_next', counterId: '2' })).toBe('queue_empty');
    const c = s.ok({ type: 'configure_counter', counterId: '2', services: ['akta', 'A', 'akta'], autoCallNext: false });
    expect(c.events[0]).toMatchObject({ type: 'counter_configured', services: ['akta', 'ktp-el'] });
    expect(s.counter('2')).toMatchObject({ services: ['akta', 'ktp-el'], staff: { id: 'petugas1' } });
    expect(s.callNext('2').number).toBe('C001');
    s.ok({ type: 'finish', counterId: '2', outcome: 'done' });
    expect(s.callNext('2').number).toBe('A001');
  });

  it('refuses to configure unknown services', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'configure_counter', counterId: '2', services: ['ktp-el', 'nope'], autoCallNext: false })).toBe('service_not_found');
    expect(s.counter('2').services).toEqual(['kk', 'pindah-datang']);
  });
});

describe('quotas, closed services, opening hours', () => {
  it('refuses the walk-in ticket over quota (quota_full) and counts bookings separately', () => {
    const office = kupang();
    const ktp = office.services.find((x) => x.id === 'ktp-el');
    if (!ktp) throw new Error('no ktp-el');
    ktp.quota = { walkIn: 2, online: 1 };
    const s = new Sim(office);
    s.issue('ktp-el');
    s.issue('ktp-el', { source: 'counter' });
    expect(s.err({ type: 'issue', service: 'ktp-el', source: 'kiosk' })).toBe('quota_full');
    expect(s.err({ type: 'issue', service: 'ktp-el' })).toBe('quota_full');
    const booked = s.issue('ktp-el', { source: 'booking', bookingSlot: NINE_AM });
    expect(booked.number).toBe('A003');
    expect(s.err({ type: 'issue', service: 'ktp-el', source: 'booking' })).toBe('quota_full');
    // Other services are not affected.
    expect(s.issue('kk').number).toBe('B001');
  });

  it('refuses tickets for a closed service (service_closed) until it reopens', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.ok({ type: 'close_service', service: 'ktp-el', reason: 'blangko habis' });
    expect(s.state.closedServices.get('ktp-el')).toBe('blangko habis');
    expect(s.err({ type: 'issue', service: 'ktp-el', source: 'kiosk' })).toBe('service_closed');
    expect(s.err({ type: 'close_service', service: 'A', reason: 'lagi' })).toBe('service_closed');
    // Those already waiting are still served.
    expect(s.callNext('1').number).toBe('A001');
    s.ok({ type: 'reopen_service', service: 'ktp-el' });
    expect(s.err({ type: 'reopen_service', service: 'ktp-el' })).toBe('invalid_state');
    expect(s.issue('ktp-el').number).toBe('A002');
  });

  it('refuses tickets for a service switched off in the configuration', () => {
    const office = kupang();
    const kia = office.services.find((x) => x.id === 'kia');
    if (!kia) throw new Error('no kia');
    kia.active = false;
    const s = new Sim(office);
    expect(s.err({ type: 'issue', service: 'kia', source: 'kiosk' })).toBe('service_closed');
  });

  it('with enforceHours, refuses kiosk tickets at 07:00 local but lets the counter issue', () => {
    const s = new Sim(kupang({ enforceHours: true }), { start: '2026-11-22T23:00:00.000Z' }); // Mon 07:00 WITA
    expect(s.err({ type: 'issue', service: 'ktp-el', source: 'kiosk' })).toBe('office_closed');
    expect(s.err({ type: 'issue', service: 'ktp-el' })).toBe('office_closed');
    expect(s.err({ type: 'issue', service: 'ktp-el', source: 'booking' })).toBe('office_closed');
    expect(s.issue('ktp-el', { source: 'counter' }).number).toBe('A001');
    s.at(NINE_AM);
    expect(s.issue('ktp-el', { source: 'kiosk' }).number).toBe('A002');
  });

  it('without enforceHours, issues at any hour of the office day', () => {
    const s = new Sim(kupang({ enforceHours: false }), { start: '2026-11-22T23:00:00.000Z' });
    expect(s.issue('ktp-el').number).toBe('A001');
  });
});

describe('unknown references', () => {
  it('names what it cannot find', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'issue', service: 'paspor', source: 'kiosk' })).toBe('service_not_found');
    expect(s.err({ type: 'call_next', counterId: '99' })).toBe('counter_not_found');
    expect(s.err({ type: 'pause', counterId: '99', reason: 'break' })).toBe('counter_not_found');
    expect(s.err({ type: 'call_ticket', counterId: '1', ticket: 'A001', reason: 'x' })).toBe('ticket_not_found');
    expect(s.err({ type: 'call_ticket', counterId: '1', ticket: '2026-11-22/A001', reason: 'x' })).toBe('ticket_not_found');
    expect(s.err({ type: 'cancel', ticket: 'A001', reason: 'x' })).toBe('ticket_not_found');
    expect(s.err({ type: 'close_service', service: 'paspor', reason: 'x' })).toBe('service_not_found');
    expect(s.err({ type: 'reopen_service', service: 'paspor' })).toBe('service_not_found');
    expect(s.state.version).toBe(0);
  });
});

describe('estimated wait', () => {
  it('uses defaultServiceMinutes before any service is measured: ceil(ahead / counters × mean)', () => {
    const s = new Sim(kupang({ defaultServiceMinutes: 10 })); // ktp-el: counters 1 and 4
    expect(s.issue('ktp-el').etaMinutesAtIssue).toBe(0);
    expect(s.issue('ktp-el').etaMinutesAtIssue).toBe(5); // 1 ahead / 2 × 10
    expect(s.issue('ktp-el').etaMinutesAtIssue).toBe(10);
    expect(s.issue('ktp-el').etaMinutesAtIssue).toBe(15);
    expect(etaOf(s, 'ktp-el')).toBe(20); // 4 waiting / 2 × 10
    expect(s.issue('informasi').etaMinutesAtIssue).toBe(0);
    expect(etaOf(s, 'informasi')).toBe(10); // 1 / 1 × 10
  });

  it('records on each ticket how many were waiting for its service when it was issued', () => {
    const s = new Sim(kupang());
    expect([1, 2, 3].map(() => s.issue('ktp-el').aheadAtIssue)).toEqual([0, 1, 2]);
    expect(s.issue('informasi').aheadAtIssue).toBe(0); // another service's line
    s.ok({ type: 'call_next', counterId: '1' }); // A001 leaves the line
    expect(s.issue('ktp-el').aheadAtIssue).toBe(2);
  });

  it('does not count a paused counter as serving', () => {
    const s = new Sim(kupang({ defaultServiceMinutes: 10 }));
    for (let i = 0; i < 3; i++) s.issue('ktp-el');
    expect(etaOf(s, 'ktp-el')).toBe(15);
    s.ok({ type: 'pause', counterId: '4', reason: 'break' });
    expect(etaOf(s, 'ktp-el')).toBe(30);
    const stats = serviceStats(s.state, s.office).find((x) => x.serviceId === 'ktp-el');
    expect(stats?.countersServing).toBe(1);
    expect(s.issue('ktp-el').etaMinutesAtIssue).toBe(30);
  });

  it('switches to the running mean of measured service times', () => {
    const s = new Sim(withCounters(kupang({ defaultServiceMinutes: 10, etaSampleSize: 20 }), { '4': ['informasi'] }), { step: 0 });
    for (let i = 0; i < 5; i++) s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    s.advance(240);
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' }); // 4 min
    s.callNext('1');
    s.ok({ type: 'start', counterId: '1' });
    s.advance(480);
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' }); // 8 min
    expect(s.state.serviceTimes.get('ktp-el')).toEqual([240, 480]);
    // 3 waiting / 1 counter × 6 min.
    expect(etaOf(s, 'ktp-el')).toBe(18);
    expect(s.issue('ktp-el').etaMinutesAtIssue).toBe(18);
  });

  it('uses only the last etaSampleSize measurements', () => {
    const s = new Sim(withCounters(kupang({ etaSampleSize: 1 }), { '4': ['informasi'] }), { step: 0 });
    for (let i = 0; i < 3; i++) s.issue('ktp-el');
    for (const secs of [600, 90]) {
      s.callNext('1');
      s.ok({ type: 'start', counterId: '1' });
      s.advance(secs);
      s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    }
    expect(etaOf(s, 'ktp-el')).toBe(2); // 1 × 90 s → 1.5 → 2
  });
});

describe('automatic no-show', () => {
  it('lists called tickets after noShowAfterMinutes', () => {
    const s = new Sim(kupang({ noShowAfterMinutes: 10 }), { step: 0 });
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    s.callNext('4');
    s.ok({ type: 'start', counterId: '4' });
    const calledAt = s.now.getTime();
    expect(dueNoShows(s.state, s.office, new Date(calledAt + 10 * 60_000 - 1))).toEqual([]);
    const due = dueNoShows(s.state, s.office, new Date(calledAt + 10 * 60_000));
    expect(due.map((t) => t.number)).toEqual(['A001']);
  });

  it('lists nothing when noShowAfterMinutes is 0', () => {
    const s = new Sim(kupang({ noShowAfterMinutes: 0 }));
    s.issue('ktp-el');
    s.callNext('1');
    expect(dueNoShows(s.state, s.office, new Date('2026-11-23T09:00:00.000Z'))).toEqual([]);
  });
});

describe('idempotency', () => {
  it('returns the first ticket for a repeated key and changes nothing', () => {
    const s = new Sim(kupang());
    const cmd = { type: 'issue', service: 'ktp-el', source: 'kiosk', key: 'kiosk-1:0001' } as const;
    const first = s.ok(cmd);
    const before = structuredClone(s.state);
    const again = s.run(cmd);
    expect(again).toEqual({ ok: true, replayed: true, ticketId: `${DAY}/A001`, version: first.version });
    expect(s.state).toEqual(before);
    expect(s.commits).toHaveLength(1);
    expect(s.issue('ktp-el').number).toBe('A002');
  });

  it('refuses the same key for a different command (idempotency_conflict)', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk', key: 'kiosk-1:0001' });
    const before = structuredClone(s.state);
    expect(s.err({ type: 'issue', service: 'kk', source: 'kiosk', key: 'kiosk-1:0001' })).toBe('idempotency_conflict');
    expect(s.err({ type: 'call_next', counterId: '1', key: 'kiosk-1:0001' })).toBe('idempotency_conflict');
    expect(s.state).toEqual(before);
  });

  it('does not remember the key of a refused command', () => {
    const s = new Sim(kupang());
    expect(s.err({ type: 'call_next', counterId: '1', key: 'counter-1:0001' })).toBe('queue_empty');
    s.issue('ktp-el');
    expect(s.callNext('1').number).toBe('A001');
    expect(s.run({ type: 'call_next', counterId: '4', key: 'counter-1:0001' })).toMatchObject({ ok: false, code: 'queue_empty' });
  });

  it('replays a key even after the office day has moved on', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk', key: 'kiosk-1:0001' });
    const d = decide(s.state, s.office, { type: 'issue', service: 'ktp-el', source: 'kiosk', key: 'kiosk-1:0001' }, { now: new Date('2026-11-24T01:00:00Z'), actor: CLERK });
    expect(d).toMatchObject({ ok: true, replayed: true });
  });

  it('refuses the same key with a different precheck (idempotency_conflict)', () => {
    // The fingerprint must cover nested objects, not only the top-level keys.
    const s = new Sim(kupang());
    s.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk', precheck: { subcase: 'baru', passed: true, missing: [] }, key: 'kiosk-1:0002' });
    const d = s.run({ type: 'issue', service: 'ktp-el', source: 'kiosk', precheck: { subcase: 'hilang', passed: false, missing: ['kk'] }, key: 'kiosk-1:0002' });
    expect(d).toEqual({ ok: false, code: 'idempotency_conflict' });
  });

  it('treats the same command with its fields in another order as a repeat', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk', precheck: { subcase: 'baru', passed: true, missing: [] }, key: 'kiosk-1:0003' });
    const d = s.run({ key: 'kiosk-1:0003', precheck: { missing: [], passed: true, subcase: 'baru' }, source: 'kiosk', service: 'ktp-el', type: 'issue' });
    expect(d).toMatchObject({ ok: true, replayed: true, ticketId: `${DAY}/A001` });
  });
});

describe('snapshot and delta', () => {
  it('snapshot holds the open tickets, every counter and per-service figures', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el'); // A001 → done
    s.issue('ktp-el'); // A002 → called
    s.issue('kk'); // B001 waiting
    s.issue('kk'); // B002 → cancelled
    s.issue('akta'); // C001 → no-show
    s.callNext('1');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    s.callNext('1');
    s.ok({ type: 'cancel', ticket: 'B002', reason: 'x' });
    s.callNext('3');
    s.ok({ type: 'no_show', counterId: '3' });
    const snap = snapshotOf(s.state, s.office, s.now);
    expect(snap).toMatchObject({ officeId: 'kupang', officeDay: DAY, version: s.state.version, serverTime: s.now.toISOString() });
    expect(snap.tickets.map((t) => t.number).sort()).toEqual(['A002', 'B001', 'C001']);
    expect(snap.counters.map((c) => c.id)).toEqual(['1', '2', '3', '4']);
    expect(snap.counters.find((c) => c.id === '1')?.ticketId).toBe(`${DAY}/A002`);
    expect(snap.services.find((x) => x.serviceId === 'kk')).toMatchObject({ waiting: 1, issuedToday: 2 });
    expect(snap.recentCalls.at(-1)).toMatchObject({ number: 'C001', counterId: '3' });
    // A no-show leaves the snapshot once it can no longer be reinstated.
    const later = snapshotOf(s.state, s.office, new Date(s.now.getTime() + 31 * 60_000));
    expect(later.tickets.map((t) => t.number).sort()).toEqual(['A002', 'B001']);
  });

  it('snapshot is a copy: changing it leaves the state alone', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    const snap = snapshotOf(s.state, s.office, s.now);
    snap.tickets[0]!.state = 'done';
    snap.counters[0]!.services.push('x');
    expect(s.ticket('A001').state).toBe('waiting');
    expect(s.counter('1').services).toEqual(['ktp-el', 'kia']);
  });

  it('delta of a call holds the called ticket and the counter', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    const c = s.ok({ type: 'call_next', counterId: '1' });
    const d = deltaOf(s.state, s.office, c);
    expect(d.version).toBe(c.version);
    expect(d.events).toBe(c.events);
    expect(d.tickets).toEqual([expect.objectContaining({ number: 'A001', state: 'called', counterId: '1' })]);
    expect(d.counters).toEqual([expect.objectContaining({ id: '1', ticketId: `${DAY}/A001` })]);
    expect(d.services.find((x) => x.serviceId === 'ktp-el')?.waiting).toBe(0);
  });

  it('delta of an issue holds the new ticket and no counter', () => {
    const s = new Sim(kupang());
    const c = s.ok({ type: 'issue', service: 'kk', source: 'kiosk' });
    const d = deltaOf(s.state, s.office, c);
    expect(d.tickets.map((t) => t.number)).toEqual(['B001']);
    expect(d.counters).toEqual([]);
  });

  it('delta of a transfer holds the counter it left', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    const c = s.ok({ type: 'transfer', counterId: '1', toService: 'kk', precedence: false });
    const d = deltaOf(s.state, s.office, c);
    expect(d.tickets).toEqual([expect.objectContaining({ number: 'A001', state: 'waiting', serviceId: 'kk' })]);
    expect(d.counters).toEqual([expect.objectContaining({ id: '1', ticketId: null })]);
  });

  it('delta of a finish with auto-call holds both tickets', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'configure_counter', counterId: '1', services: ['ktp-el'], autoCallNext: true });
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    const c = s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    const d = deltaOf(s.state, s.office, c);
    expect(d.tickets.map((t) => [t.number, t.state])).toEqual([
      ['A001', 'done'],
      ['A002', 'called'],
    ]);
    expect(d.counters).toEqual([expect.objectContaining({ id: '1', ticketId: `${DAY}/A002` })]);
  });

  it('delta of cancelling a held ticket holds the counter it freed', () => {
    // Otherwise counter screens keep showing the cancelled ticket.
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    const c = s.ok({ type: 'cancel', ticket: 'A001', reason: 'salah layanan' });
    const d = deltaOf(s.state, s.office, c);
    expect(d.tickets).toEqual([expect.objectContaining({ number: 'A001', state: 'cancelled' })]);
    expect(d.counters).toEqual([expect.objectContaining({ id: '1', ticketId: null })]);
  });
});
